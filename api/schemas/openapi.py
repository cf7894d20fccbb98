"""Request-body schemas in OpenAPI as strict as the server: built from msgspec's JSON Schema.

Litestar's own schema of a Struct drops what the decoder enforces: ``additionalProperties:
false`` of ``forbid_unknown_fields``, the limits of list items (``list[Annotated[str, Meta]]``),
a zero bound (``ge=0``). A schema-valid request was then refused. :class:`StrictBodySchemaPlugin`
describes every request body (a Struct with ``forbid_unknown_fields``) from
``msgspec.json.schema_components``, the decoder's own view, and adds the rules across fields
that a body declares in ``schema_rules`` (a JSON Schema fragment, e.g. an ``anyOf``).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from typing import TYPE_CHECKING, Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

__all__ = ["StrictBodySchemaPlugin", "to_spec"]

_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas"})
_SCHEMAS = frozenset({"items", "not", "if", "then", "else", "contains", "propertyNames"})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


#: JSON Schema keyword -> attribute of Litestar's ``Schema``.
_ATTRIBUTES = {
    field.metadata.get("alias", _camel(field.name)): field.name
    for field in dataclasses.fields(Schema)
}


def _enum_or_text(kind: type[enum.Enum], value: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return value


def _value(key: str, value: Any) -> Any:
    if key in _LISTS:
        return [to_spec(item) for item in value]
    if key in _MAPS:
        return {name: to_spec(item) for name, item in value.items()}
    if key in _SCHEMAS or (key == "additionalProperties" and isinstance(value, dict)):
        return to_spec(value)
    if key == "type":
        kinds = value if isinstance(value, list) else [value]
        converted = [_enum_or_text(OpenAPIType, kind) for kind in kinds]
        return converted if isinstance(value, list) else converted[0]
    if key == "format":
        return _enum_or_text(OpenAPIFormat, value)
    return value


def to_spec(schema: dict[str, Any]) -> Schema:
    """A JSON Schema (without ``$ref``) as Litestar's OpenAPI ``Schema``.

    Raises:
        ValueError: The schema uses a keyword OpenAPI 3.1's Schema object lacks, or a ``$ref``.
    """
    unknown = sorted(set(schema) - set(_ATTRIBUTES))
    if unknown:
        raise ValueError(f"no OpenAPI Schema attribute for {unknown}")
    return Schema(**{_ATTRIBUTES[key]: _value(key, value) for key, value in schema.items()})


@functools.cache
def _component(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """msgspec's JSON Schema of ``struct`` (nested Structs and enums as ``$ref``)."""
    _, components = msgspec.json.schema_components([struct], ref_template="{name}")
    return dict(components[struct.__name__])


def _refers(schema: Any) -> bool:
    """Whether a JSON Schema names another component (a nested Struct or an enum)."""
    if isinstance(schema, dict):
        return "$ref" in schema or any(_refers(value) for value in schema.values())
    if isinstance(schema, list):
        return any(_refers(value) for value in schema)
    return False


class StrictBodySchemaPlugin(StructSchemaPlugin):
    """Describe request bodies (Structs that ``forbid_unknown_fields``) as msgspec decodes them.

    Each property comes from msgspec's JSON Schema; a property holding another Struct or an enum
    keeps Litestar's ``$ref`` to that component (itself described by this plugin when it is a
    body). Unknown fields are refused (``additionalProperties: false``). A Struct's class
    attribute ``schema_rules`` (a JSON Schema fragment) adds the rules across its fields.
    """

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        """Structs that refuse unknown fields: the request bodies."""
        if not super().is_plugin_supported_field(field_definition):
            return False
        info = msgspec.inspect.type_info(field_definition.type_)
        return isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        """The body's component: msgspec's properties, required fields and rules.

        Args:
            field_definition: The body type.
            schema_creator: Litestar's schema creator (registers the component).

        Returns:
            The registered component schema.
        """
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct = field_definition.type_
        component = _component(struct)
        generated = schema.properties or {}
        schema.properties = {
            name: generated[name] if _refers(prop) else to_spec(prop)
            for name, prop in component["properties"].items()
        }
        schema.required = component.get("required", [])
        schema.additional_properties = False
        schema.description = component.get("description")
        rules = to_spec(getattr(struct, "schema_rules", {}))
        schema.all_of, schema.any_of, schema.one_of = rules.all_of, rules.any_of, rules.one_of
        return schema
