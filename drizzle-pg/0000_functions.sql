-- Custom SQL migration file, put your code below! --
-- igny8_utc(text): SQLite's strftime('%Y-%m-%dT%H:%M:%fZ', x) for content.modified_at_utc (a generated column,
-- which PostgreSQL requires to be IMMUTABLE; the text->timestamptz cast alone is only STABLE because it reads
-- the session time zone). Pinned to UTC, the answer depends on its argument alone, and a string without an
-- offset is read as UTC, as SQLite does. Rounded to the millisecond like SQLite; null in, null out; a string not
-- shaped like an ISO 8601 date gives null (as in SQLite) instead of failing the write.
CREATE FUNCTION igny8_utc(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET timezone = 'UTC'
RETURN CASE WHEN $1 ~ '^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:\d\d)?$' THEN
  to_char(date_trunc('milliseconds', $1::timestamptz + interval '500 microseconds') AT TIME ZONE 'UTC',
          'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
END;
