"""The DuckDB study store: the only module that opens DuckDB.

A study is one DuckDB file holding every stage's table (units, records,
respondents, columns, annotations, embeddings, topics, segments, runs ...).
Tables are written from and read into pandas DataFrames; read queries
(``insight evidence``) go through :meth:`Store.query` with bound parameters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight.errors import StoreError

if TYPE_CHECKING:
    import pandas as pd


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Store:
    """A study store backed by one DuckDB file.

    Args:
        path: the ``.duckdb`` file; created (with its folder) when missing.
        read_only: open without write access.
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        import duckdb

        self.path = Path(path)
        if read_only and not self.path.exists():
            raise StoreError(
                "study store not found",
                file=str(self.path),
                fix="run `insight run INPUT --out DIR` first, or pass the path to study.duckdb",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    "the study is open in another process",
                    file=str(self.path),
                    fix="wait for the other insight command to finish, then try again",
                ) from None
            raise StoreError(
                f"cannot open the study store ({exc})",
                file=str(self.path),
                fix="check the path points to a study.duckdb written by insight",
            ) from None

    # -- lifecycle --------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    # -- transactions (one per stage: see insight.transactions) ----------------
    def begin(self) -> None:
        self.con.execute("BEGIN TRANSACTION")

    def commit(self) -> None:
        self.con.execute("COMMIT")

    def rollback(self) -> None:
        self.con.execute("ROLLBACK")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- tables -----------------------------------------------------------------
    def tables(self) -> list[str]:
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        return sorted(r[0] for r in rows)

    def has_table(self, name: str) -> bool:
        return name in self.tables()

    def require_table(self, name: str) -> None:
        """Raise the one-line "no such table yet" error when the study lacks ``name``."""
        if not self.has_table(name):
            raise StoreError(
                f'the study has no "{name}" table yet',
                file=str(self.path),
                fix="run the stage that writes it (see `insight run --help`)",
            )

    def columns(self, name: str) -> list[str]:
        """The column names of a table, in order (empty when the table is missing)."""
        rows = self.con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
            [name],
        ).fetchall()
        return [r[0] for r in rows]

    def count_rows(self, name: str) -> int:
        """Rows in a table (0 when the table is missing)."""
        if not self.has_table(name):
            return 0
        (n,) = self.con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchall()[0]
        return int(n)

    def read_table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The whole table as a DataFrame (rows in insertion order), typed as its spec in
        :mod:`insight.schema` says: ids as str, list columns as Python lists."""
        self.require_table(name)
        cols = ", ".join(_quote(c) for c in columns) if columns else "*"
        return self.query(f"SELECT {cols} FROM {_quote(name)}", table=name)

    def query(
        self, sql: str, params: Sequence[Any] = (), *, table: str | None = None
    ) -> pd.DataFrame:
        """The rows of a read query as a DataFrame; values travel as bound ``?`` parameters.

        Args:
            sql: a SELECT over the store's tables (no value from a user pasted into it).
            params: the values of the ``?`` placeholders, in order.
            table: the table whose spec types the result (ids as str, lists as lists).
        """
        from insight.schema import conform_read

        df = self.con.execute(sql, list(params)).df()
        return conform_read(table, df) if table else df

    def read_or_empty(self, name: str) -> pd.DataFrame:
        import pandas as pd

        return self.read_table(name) if self.has_table(name) else pd.DataFrame()

    def _validate(self, name: str, df: pd.DataFrame) -> pd.DataFrame:
        from insight.schema import TableSpecError, conform_write, validate_table

        try:
            validate_table(name, df)
            return conform_write(name, df)
        except TableSpecError as exc:
            raise StoreError(
                str(exc),
                file=str(self.path),
                fix="this is a bug in the stage that wrote the table (its output does not "
                "match insight/schema.py TABLES); please report it with this message",
            ) from None

    def write_table(self, name: str, df: pd.DataFrame) -> None:
        """Replace a table with ``df`` (validated against its spec in insight.schema).

        Raises:
            StoreError: ``df`` does not match the table's spec (names the column and row).
        """
        self._from_frame(f"CREATE OR REPLACE TABLE {_quote(name)} AS", name, df)

    def append(self, name: str, df: pd.DataFrame) -> None:
        """Append rows; new columns are added, missing ones become NULL."""
        import pandas as pd

        if not self.has_table(name):
            self.write_table(name, df)
            return
        old = self.read_table(name)
        self.write_table(name, pd.concat([old, df], ignore_index=True, sort=False))

    def upsert(self, name: str, df: pd.DataFrame, key: str | Sequence[str]) -> int:
        """Insert rows whose key is new, replace rows whose key exists. Returns rows written."""
        import pandas as pd

        keys = [key] if isinstance(key, str) else list(key)
        if not self.has_table(name):
            self.write_table(name, df)
            return len(df)
        old = self.read_table(name)
        if len(old):
            # keys are typed by the table spec (ids are str), so they compare as they are
            new_keys = pd.MultiIndex.from_frame(df[keys])
            old_keys = pd.MultiIndex.from_frame(old[keys])
            old = old[~old_keys.isin(new_keys)]
        self.write_table(name, pd.concat([old, df], ignore_index=True, sort=False))
        return len(df)

    def keys(self, name: str, column: str) -> set[Any]:
        """The distinct values of one column (empty when the table is missing)."""
        if not self.has_table(name):
            return set()
        rows = self.con.execute(f"SELECT DISTINCT {_quote(column)} FROM {_quote(name)}").fetchall()
        return {r[0] for r in rows}

    def execute(self, sql: str, params: Iterable[Any] | None = None) -> Any:
        return self.con.execute(sql, list(params) if params is not None else [])

    # -- key/value metadata (fitted models, run records) ------------------------
    def put_meta(self, key: str, value: Any) -> None:
        self.con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        self.con.execute("DELETE FROM meta WHERE key = ?", [key])
        self.con.execute("INSERT INTO meta VALUES (?, ?)", [key, json.dumps(value, default=str)])

    def get_meta(self, key: str, default: Any = None) -> Any:
        if not self.has_table("meta"):
            return default
        # fetchall: a half-read result would block the next register() on this connection
        rows = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return json.loads(rows[0][0]) if rows else default

    def put_blob(self, key: str, data: bytes) -> None:
        """Store a binary artefact (a pickled fitted model, for example)."""
        self.con.execute("CREATE TABLE IF NOT EXISTS blobs (key VARCHAR PRIMARY KEY, data BLOB)")
        self.con.execute("DELETE FROM blobs WHERE key = ?", [key])
        self.con.execute("INSERT INTO blobs VALUES (?, ?)", [key, data])

    def get_blob(self, key: str) -> bytes | None:
        if not self.has_table("blobs"):
            return None
        rows = self.con.execute("SELECT data FROM blobs WHERE key = ?", [key]).fetchall()
        return bytes(rows[0][0]) if rows else None

    # -- keyed reads / fast appends (embedding cache) ---------------------------
    def read_matching(self, name: str, keys: pd.DataFrame) -> pd.DataFrame:
        """Rows of ``name`` whose ``keys.columns`` values equal a row of ``keys`` (empty if no table)."""
        import pandas as pd

        if not self.has_table(name) or keys.empty:
            return pd.DataFrame()
        on = " AND ".join(f"t.{_quote(c)} = k.{_quote(c)}" for c in keys.columns)
        self.con.register("_insight_keys", keys)
        try:
            return self.con.execute(
                f"SELECT t.* FROM {_quote(name)} t SEMI JOIN _insight_keys k ON {on}"
            ).df()
        finally:
            self.con.unregister("_insight_keys")

    def insert(self, name: str, df: pd.DataFrame) -> None:
        """Append rows without rewriting the table (columns matched by name)."""
        if not self.has_table(name):
            self.write_table(name, df)
            return
        self._from_frame(f"INSERT INTO {_quote(name)} BY NAME", name, df)

    def _from_frame(self, statement: str, name: str, df: pd.DataFrame) -> None:
        """``statement SELECT * FROM`` the validated ``df`` (write_table / insert)."""
        df = self._validate(name, df)
        self.con.register("_insight_df", df)
        try:
            self.con.execute(f"{statement} SELECT * FROM _insight_df")
        finally:
            self.con.unregister("_insight_df")


# -- fitted estimators: one save/load used by every estimator's own save()/load() --
def save_model(model: Any, target: Store | str | Path, key: str) -> None:
    """Pickle a fitted estimator into a study store (blob ``key``) or a file."""
    import pickle

    data = pickle.dumps(model)
    if isinstance(target, str | Path):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_bytes(data)
    else:
        target.put_blob(key, data)


def load_model(
    source: Store | str | Path, key: str, *, kind: type, fitted: str, what: str, fix: str
) -> Any:
    """The estimator :func:`save_model` wrote, checked to be a fitted ``kind``.

    Args:
        source: the study store or the file.
        key: the store blob key.
        kind: the estimator class expected.
        fitted: an attribute only a fitted (and current) ``kind`` has.
        what: the model's name in the message ("segment model").
        fix: what the user does about a missing or unreadable model.

    Raises:
        StoreError: the study has none, or it is not a fitted ``kind`` (one line, with the fix).
    """
    import pickle

    if isinstance(source, str | Path):
        where = str(source)
        try:
            blob = Path(source).read_bytes()
        except OSError as exc:
            raise StoreError(
                f"cannot read the {what} ({exc.strerror})", file=where, fix=fix
            ) from None
    else:
        where = str(source.path)
        stored = source.get_blob(key)
        if stored is None:
            raise StoreError(f'the study has no fitted {what} "{key}"', file=where, fix=fix)
        blob = stored
    try:
        model = pickle.loads(blob)
    except Exception:  # any unreadable pickle gets the same one-line fix
        model = None
    if not isinstance(model, kind) or not hasattr(model, fitted):
        raise StoreError(
            f"not a fitted {what} (or one saved by an older insight)", file=where, fix=fix
        )
    return model
