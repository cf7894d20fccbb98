# The graphrec API image (compose.yaml's `api` service).
FROM python:3.11-slim
WORKDIR /app
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
COPY requirements.lock pyproject.toml README.md ./
RUN pip install uv && uv pip install --system -r requirements.lock
COPY . .
RUN uv pip install --system --no-deps .
EXPOSE 8000
CMD ["graphrec", "serve", "--host", "0.0.0.0", "--port", "8000"]
