"""Bulk writes at import sizes (100,000 rows and more).

Django's bulk_create and bulk_update compile every value of every row through the query compiler, which at
import sizes costs more than the database's own work; PostgreSQL's COPY and a pipelined executemany take the
rows as they are.
"""

import inspect
from types import SimpleNamespace

from django.db import connections, models, router, transaction
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

from . import changes


def plain_attribute(model, attname):
    """Whether the model's attribute `attname` is Django's plain field descriptor, which returns the instance's
    __dict__ entry once it is there: then a loaded value can be read from __dict__ directly (no file field's
    wrapper, no property of the model's own)."""
    return type(inspect.getattr_static(model, attname, None)) in (DeferredAttribute, ForeignKeyDeferredAttribute)


def insert_rows(connection, table, columns, rows):
    """Insert plain value tuples: COPY on PostgreSQL, one executemany of bound parameters elsewhere."""
    quote = connection.ops.quote_name
    table, column_list = quote(table), ", ".join(map(quote, columns))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


UPDATE_BY_COPY_ROWS = 1000  # from this many rows PostgreSQL gets an update's values by COPY (update_rows)


def update_rows(model, objects, fields):
    """Write the named fields of existing instances: one executemany of bound UPDATEs (pipelined by psycopg on
    PostgreSQL), where bulk_update's CASE expressions take longer to compile than the database to run. From
    UPDATE_BY_COPY_ROWS rows on PostgreSQL, the values go by COPY into a temporary table and one UPDATE … FROM
    joins them (a dispatch links 100,000 drawn rows to their records: as many statements cost the server
    seconds)."""
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    values = [
        [*(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields), obj.pk]
        for obj in objects
    ]
    if connection.vendor == "postgresql" and len(values) >= UPDATE_BY_COPY_ROWS:
        columns = [field.column for field in fields] + [model._meta.pk.column]
        staged = "postlicense_bulk_update"
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staged} ON COMMIT DROP AS "
                f"SELECT {', '.join(map(quote, columns))} FROM {table} WITH NO DATA"
            )
            insert_rows(connection, staged, columns, values)
            cursor.execute(f"ANALYZE {staged}")
            assignments = ", ".join(f"{quote(field.column)} = {staged}.{quote(field.column)}" for field in fields)
            cursor.execute(f"UPDATE {table} SET {assignments} FROM {staged} WHERE {table}.{pk} = {staged}.{pk}")
            cursor.execute(f"DROP TABLE {staged}")
    else:
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", values)
    changes.rows_written(model, objects)


def insert_new(model, objects, key):
    """Insert new model instances and set their primary keys, found again by the unique field `key`.

    Values go through each field's pre_save and get_db_prep_save, as with save(); no signals are sent
    (as with bulk_create), so the caller writes the audit entries.
    """
    if not objects:
        return
    if not isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
        raise TypeError(f"{model.__name__}: insert_new needs an auto-increment primary key")
    connection = connections[router.db_for_write(model)]
    _insert_values(connection, model, [f for f in model._meta.concrete_fields if not f.primary_key], objects)
    keys = [getattr(obj, key) for obj in objects]
    ids = dict(model._base_manager.using(connection.alias).filter(**{f"{key}__in": keys}).values_list(key, "pk"))
    for obj in objects:
        obj.pk = ids[getattr(obj, key)]
        obj._state.adding, obj._state.db = False, connection.alias
    changes.rows_written(model, objects)


def insert_objects(model, objects):
    """Insert new model instances and set their primary keys, for a model without a unique field to find them
    by (insert_new). On PostgreSQL the ids are drawn from the table's sequence first and COPYed with the rows;
    elsewhere this is bulk_create, which sets them too. No signals are sent, so the caller writes the audit
    entries."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        objects = model._base_manager.db_manager(connection.alias).bulk_create(objects)
    elif objects:
        _insert_with_ids(connection, model, objects)
    changes.rows_written(model, objects)
    return objects


def _next_ids(connection, model, count):
    """`count` ids from the table's sequence, ascending (PostgreSQL)."""
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def insert_values(model, rows):
    """Insert new rows given as dicts of attname → value (as the model's attributes hold them: ids, strings,
    dates) without a model instance each; every field not given takes its default. Returns, in order, each
    row's full dict of attnames, the primary key included: what an instance made with those values and saved
    would hold (for its audit snapshot, audit.created_entries). On PostgreSQL the ids come from the table's
    sequence and the rows are COPYed as they are prepared; elsewhere this is bulk_create. No signals are sent,
    so the caller writes the audit entries. For models whose fields' pre_save changes nothing (no auto_now,
    no file fields) and whose defaults are not mutable."""
    connection = connections[router.db_for_write(model)]
    fields = model._meta.concrete_fields
    pk = model._meta.pk
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) or isinstance(f, models.FileField):
            raise TypeError(f"{model.__name__}: insert_values cannot fill {f.name}")
    given = set().union(*rows) if rows else set()
    defaults = {}
    for f in fields:
        if f.attname not in given and f is not pk:
            defaults[f.attname] = f.get_default()
            if isinstance(defaults[f.attname], dict | list):
                raise TypeError(f"{model.__name__}: insert_values cannot share the mutable default of {f.name}")
    full = [{pk.attname: None, **defaults, **row} for row in rows]
    if not full:
        return full
    if connection.vendor != "postgresql":
        created = model._base_manager.db_manager(connection.alias).bulk_create([model(**row) for row in full])
        for row, obj in zip(full, created):
            row[pk.attname] = obj.pk
    else:
        for row, pk_value in zip(full, _next_ids(connection, model, len(full))):
            row[pk.attname] = pk_value
        columns = [(f.attname, _column_preparer(f, connection)) for f in fields]

        def values(row):
            return [prepare(row[attname]) for attname, prepare in columns]

        insert_rows(connection, model._meta.db_table, [f.column for f in fields], map(values, full))
    changes.rows_written(model, [SimpleNamespace(**row) for row in full])  # the hooks read attributes
    return full


def _insert_with_ids(connection, model, objects):
    ids = _next_ids(connection, model, len(objects))
    for obj, pk_value in zip(objects, ids):
        obj.pk = pk_value
    _insert_values(connection, model, model._meta.concrete_fields, objects)
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias


def insert_links(model, attnames, rows):
    """Insert value tuples for the fields `attnames` (values as the database takes them: ids, strings) without
    a model instance per row; every other field takes its default and the primary key comes from the
    database. For rows that nothing reads back (a record's crew and license links: 300,000 at a national
    dispatch). No signals are sent, so the caller writes the audit entries."""
    connection = connections[router.db_for_write(model)]
    given = [model._meta.get_field(name) for name in attnames]
    rest = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given]
    if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in rest):
        raise TypeError(f"{model.__name__}: insert_links cannot fill auto_now fields")
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    insert_rows(
        connection,
        model._meta.db_table,
        [f.column for f in given + rest],
        (tuple(row) + defaults for row in rows),
    )


_TEXT_FIELDS = (models.CharField, models.TextField)
_INTEGER_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def _as_is(field):
    """The type (str or int) whose values, and None, the field's get_db_prep_save returns unchanged, or None:
    Django's own text and integer fields, and foreign keys to them (exact classes: a subclass may prepare its
    values). Such values, unique in a column (ids, credit codes, ranks), need neither preparing nor caching."""
    if field.is_relation:  # a key: its target's preparation, "" aside (ForeignKey.get_db_prep_save)
        target = field.target_field if field.many_to_one and type(field) is models.ForeignKey else None
        return int if type(target) in _INTEGER_FIELDS else None
    if type(field) in _TEXT_FIELDS:
        return str
    if type(field) in _INTEGER_FIELDS:
        return int
    return None


def _column_preparer(field, connection):
    """value → what the database takes for the field, as get_db_prep_save gives it. A value of Django's plain text
    and integer fields (_as_is) goes as it is; any other value met before in the same column is prepared once
    (keyed by its type and value; an unhashable one, a JSON list say, every time): most columns of a bulk write
    repeat a few values (defaults, a task's checklist and deadline), and preparing the 27 columns of 100,000
    records one by one took longer than COPYing them."""
    as_is, prepared = _as_is(field), {}

    def prepare(value):
        if as_is is not None and (value is None or type(value) is as_is):
            return value
        try:
            return prepared[type(value), value]
        except KeyError:
            return prepared.setdefault((type(value), value), field.get_db_prep_save(value, connection))
        except TypeError:
            return field.get_db_prep_save(value, connection)

    return prepare


def _insert_values(connection, model, fields, objects):
    """The named fields of each instance, through pre_save and get_db_prep_save as save() does (_column_preparer)."""
    # A field whose pre_save is Field's own reads the attribute, which a new instance holds in its __dict__:
    # read it there rather than through a method call and the attribute's descriptor.
    columns = [
        (
            f,
            f.attname if type(f).pre_save is models.Field.pre_save and plain_attribute(model, f.attname) else None,
            _column_preparer(f, connection),
        )
        for f in fields
    ]

    def values(obj):
        attributes = obj.__dict__
        return [
            prepare(attributes[attname] if attname is not None and attname in attributes else field.pre_save(obj, True))
            for field, attname, prepare in columns
        ]

    insert_rows(connection, model._meta.db_table, [f.column for f in fields], map(values, objects))


def filter_in(queryset, field, values):
    """queryset.filter(<field>__in=values) for a list of many values: on PostgreSQL one array parameter
    (`= ANY(%s)`), where Django would prepare and place each of 100,000 values one by one (a dispatch reads
    its records' enterprises' licenses and equipment)."""
    values = list(values)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not values:
        return queryset.filter(**{f"{field}__in": values})
    model = queryset.model
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"
    return queryset.extra(where=[f"{column} = ANY(%s)"], params=[values])


def new_instances(model, rows):
    """Unsaved instances, one per dict of values (a related instance by its field's name, any other value by
    attname), as model(**row) makes them, but through Model.__init__'s positional path: with keywords it
    looks up every one of a record's 30 fields in the keywords, three times as long. Fields not given take their
    default (a callable default is called for each instance); a related instance is cached on its instance as
    its descriptor caches it."""
    fields = model._meta.concrete_fields
    position = {f.attname: n for n, f in enumerate(fields)}
    related = {f.name: (n, f) for n, f in enumerate(fields) if f.is_relation and f.many_to_one}
    defaults = [f.get_default() for f in fields]
    fresh = [(n, f) for n, f in enumerate(fields) if f.has_default() and callable(f.default)]
    instances = []
    for row in rows:
        values, cached = defaults.copy(), []
        for n, f in fresh:
            values[n] = f.get_default()
        for name, value in row.items():
            if name in related:
                n, f = related[name]
                values[n] = None if value is None else getattr(value, f.target_field.attname)
                cached.append((f, value))
            else:
                values[position[name]] = value
        obj = model(*values)
        for f, value in cached:
            f.set_cached_value(obj, value)
        instances.append(obj)
    return instances
