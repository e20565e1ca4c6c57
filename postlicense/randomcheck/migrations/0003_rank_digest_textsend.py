"""PostgreSQL only: postlicense_rank_digest hashes the text's bytes as they are, where the database is UTF-8.

convert_to(input, 'UTF8') looks its encoding up by name for every row, about a tenth of the draw's hashing scan.
In a UTF8 database textsend(input) gives the same bytes: a backend sends text in the client encoding, which Django
always sets to UTF8, and a parallel worker sends it in the database encoding. Other databases keep convert_to.
"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION postlicense_rank_digest(input text) RETURNS bytea
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$ SELECT sha256({bytes}) $$
"""


def _replace_body(schema_editor, bytes_expression):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        if cursor.fetchone()[0] == "UTF8":
            schema_editor.execute(CREATE.format(bytes=bytes_expression))


def use_textsend(apps, schema_editor):
    _replace_body(schema_editor, "textsend(input)")


def use_convert_to(apps, schema_editor):
    _replace_body(schema_editor, "convert_to(input, 'UTF8')")


class Migration(migrations.Migration):
    dependencies = [("randomcheck", "0002_rank_digest_function")]
    operations = [migrations.RunPython(use_textsend, use_convert_to)]
