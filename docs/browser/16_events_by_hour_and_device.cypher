// graphrec: API events (POST /v1/interactions) by hour of the day (UTC), device and action;
// events recorded without a device count as 'not recorded'
MATCH (e:Event)
RETURN coalesce(e.hour, e.at.hour) AS hour, coalesce(e.deviceType, 'not recorded') AS device,
       e.action AS action, count(*) AS events
ORDER BY hour, device, events DESC
