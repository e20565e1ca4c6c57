"""PostgreSQL only: postlicense_rank_digest(text), the SHA-256 digest of a rank's input (dbdraw.py).

Declared VOLATILE on purpose, though its result depends only on its input: PostgreSQL never merges a subquery
whose output calls a volatile function into the query around it, so `SELECT … FROM (SELECT
postlicense_rank_digest(…) AS digest …) WHERE digest < bound ORDER BY …` hashes each row once, where the
plain expression would be hashed again for every row that passes the bound. The body is still inlined, so
there is no function-call overhead; PARALLEL SAFE keeps the hashing scan parallel.
"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION postlicense_rank_digest(input text) RETURNS bytea
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$ SELECT sha256(convert_to(input, 'UTF8')) $$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS postlicense_rank_digest(text)")


class Migration(migrations.Migration):
    dependencies = [("randomcheck", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
