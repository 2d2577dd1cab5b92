"""Bulk inserts with COPY, for Excel imports of thousands of rows in one transaction.

The rows go through the session's own connection, so they commit (or roll back) with
everything else the transaction did, and later queries in it see them."""
import json

from sqlalchemy import func, select


def reserve_ids(session, table, count):
    """``count`` ids of ``table``'s identity column, before the rows exist."""
    sequence = func.pg_get_serial_sequence(table.fullname, "id")
    return list(session.execute(
        select(func.nextval(sequence)).select_from(func.generate_series(1, count))
    ).scalars())


def _cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def copy_rows(session, table, columns, rows):
    """COPY ``rows`` (sequences in the order of ``columns``) into ``table``."""
    connection = session.connection().connection.driver_connection
    statement = f"COPY {table.fullname} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_cell(v) for v in row])
