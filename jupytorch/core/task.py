"""Tasks: a pandas DataFrame with a target, features, column roles and active rows.

A task never copies or changes the DataFrame it was built from: ``filter`` and ``select`` change
which rows and columns are active (as in mlr3, in place, returning the task), ``clone`` is cheap,
and operations that produce new columns (``cbind``, ``replace_features``) build a new frame.
Row ids are the DataFrame's index labels; a task built from a frame with a default index has row
ids ``0 .. n-1``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import TaskError, UnknownKeyError, did_you_mean
from jupytorch.core.summary import SummaryRepr

if TYPE_CHECKING:
    from typing import TypeAlias

    RowIds: TypeAlias = int | np.integer | Iterable[int]  # one row id, or several (a list, range, array)

__all__ = [
    "COL_ROLES",
    "FEATURE_TYPES",
    "Task",
    "TaskClassif",
    "TaskRegr",
    "as_task_classif",
    "as_task_regr",
    "column_type",
]

FEATURE_TYPES = ("numeric", "integer", "factor", "ordered", "logical", "character", "lazy_tensor")
COL_ROLES = ("feature", "target", "group", "stratum", "weight", "name")


def column_type(series: pd.Series) -> str:
    """Return the feature type of a column: one of :data:`FEATURE_TYPES`.

    Examples
    --------
    >>> column_type(pd.Series([1.5, 2.0]))
    'numeric'
    >>> column_type(pd.Series(["a", "b"], dtype="category"))
    'factor'
    """
    dtype = series.dtype
    if getattr(dtype, "name", "") == "lazy_tensor":
        return "lazy_tensor"
    if isinstance(dtype, pd.CategoricalDtype):
        return "ordered" if dtype.ordered else "factor"
    if pd.api.types.is_bool_dtype(dtype):
        return "logical"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "numeric"
    if pd.api.types.is_string_dtype(dtype) or dtype == object:  # noqa: E721 - a dtype, not a type
        non_missing = series.dropna()
        if len(non_missing) and non_missing.map(type).eq(bool).all():
            return "logical"
        return "character"
    raise TaskError(
        f"Column {series.name!r} has dtype {dtype}, which is not a supported feature type "
        f"({', '.join(FEATURE_TYPES)}); convert it (e.g. datetimes to numbers) first."
    )


def _as_row_ids(rows: Any) -> np.ndarray:
    if isinstance(rows, (int, np.integer)):
        rows = [rows]
    array = np.asarray(list(rows) if isinstance(rows, range) else rows)
    if array.dtype == bool:
        raise TaskError("Row ids must be integers, not a boolean mask; use np.flatnonzero(mask).")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if np.issubdtype(array.dtype, np.floating) and np.all(np.mod(array, 1) == 0):
            array = array.astype(np.int64)
        else:
            raise TaskError(f"Row ids must be integers, got values of dtype {array.dtype}.")
    return array.astype(np.int64, copy=False).reshape(-1)


def _is_positional(index: pd.Index) -> bool:
    """Whether row id ``i`` is at position ``i`` (a ``RangeIndex`` from 0 in steps of 1)."""
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


class Task(SummaryRepr):
    """A supervised learning problem on a pandas DataFrame.

    Use :class:`TaskClassif` or :class:`TaskRegr` (or ``as_task_classif`` / ``as_task_regr``).

    Parameters
    ----------
    id : str
        Short name used in results tables.
    backend : pandas.DataFrame
        The data; column names become feature names, its index the row ids.
    target : str
        The target column.
    label : str, optional
        A longer description shown in printers.

    Examples
    --------
    >>> import pandas as pd
    >>> task = TaskRegr("toy", pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0.5, 1.5, 2.5]}), target="y")
    >>> task.filter([1, 2]).nrow, task.feature_names
    (2, ['x'])
    """

    task_type: str = ""

    def __init__(self, id: str, backend: pd.DataFrame, target: str, label: str = ""):
        if not isinstance(backend, pd.DataFrame):
            raise TaskError(f"Task {id!r}: backend must be a pandas DataFrame, got {type(backend).__name__}.")
        if not isinstance(id, str) or not id:
            raise TaskError(f"A task id must be a non-empty string, got {id!r}.")
        self.id = id
        self.label = label
        backend = backend.rename(columns=lambda c: c if isinstance(c, str) else str(c))
        if backend.columns.duplicated().any():
            dup = backend.columns[backend.columns.duplicated()].tolist()
            raise TaskError(f"Task {id!r}: duplicated column names {dup}.")
        if not (pd.api.types.is_integer_dtype(backend.index) and backend.index.is_unique):
            backend = backend.reset_index(drop=True)
        if target not in backend.columns:
            raise TaskError(
                f"Task {id!r}: target {target!r} is not a column of the data.{did_you_mean(target, backend.columns)}"
                f" Columns: {list(backend.columns)[:20]}."
            )
        backend = self._prepare_target(backend, target)
        self._data = backend
        self._row_ids = backend.index.to_numpy(dtype=np.int64)
        self._col_roles: dict[str, list[str]] = {role: [] for role in COL_ROLES}
        self._col_roles["target"] = [target]
        self._col_roles["feature"] = [c for c in backend.columns if c != target]
        self._col_types: dict[str, str] = {}
        for col in self._col_roles["feature"]:
            self._col_types[col] = column_type(backend[col])
        self._internal_valid_task: Task | None = None
        self._values_cache: dict[str, tuple[pd.DataFrame, Any]] = {}  # see _column_values; shared by clones

    # -- construction hooks --------------------------------------------------------------------
    def _prepare_target(self, backend: pd.DataFrame, target: str) -> pd.DataFrame:
        n_missing = int(backend[target].isna().sum())
        if n_missing:
            raise TaskError(
                f"Task {self.id!r}: target {target!r} has {n_missing} missing values; drop those rows first "
                f"(e.g. df.dropna(subset=[{target!r}]))."
            )
        column = backend[target]
        if pd.api.types.is_float_dtype(column.dtype):
            n_infinite = int(np.isinf(column.to_numpy(dtype=np.float64)).sum())
            if n_infinite:
                raise TaskError(
                    f"Task {self.id!r}: target {target!r} has {n_infinite} infinite values; drop or replace those rows first."
                )
        return backend

    # -- basic fields --------------------------------------------------------------------------
    @property
    def row_ids(self) -> np.ndarray:
        """The active row ids (a copy)."""
        return self._row_ids.copy()

    @property
    def nrow(self) -> int:
        """Number of active rows."""
        return len(self._row_ids)

    @property
    def ncol(self) -> int:
        """Number of active columns (features and target)."""
        return len(self._col_roles["feature"]) + len(self._col_roles["target"])

    @property
    def target_names(self) -> list[str]:
        """The target column(s)."""
        return list(self._col_roles["target"])

    @property
    def feature_names(self) -> list[str]:
        """The active feature columns, in data order."""
        return list(self._col_roles["feature"])

    @property
    def n_features(self) -> int:
        """Number of active features."""
        return len(self._col_roles["feature"])

    @property
    def feature_types(self) -> pd.Series:
        """The type of each feature (index: feature name), one of :data:`FEATURE_TYPES`."""
        names = self.feature_names
        return pd.Series([self._col_types[c] for c in names], index=names, name="type", dtype=object)

    def feature_names_of(self, types: str | Iterable[str]) -> list[str]:
        """Return the features whose type is in ``types``."""
        wanted = {types} if isinstance(types, str) else set(types)
        unknown = wanted - set(FEATURE_TYPES)
        if unknown:
            raise TaskError(f"Unknown feature type(s) {sorted(unknown)}; valid types are {list(FEATURE_TYPES)}.")
        return [c for c in self.feature_names if self._col_types[c] in wanted]

    @property
    def col_roles(self) -> dict[str, list[str]]:
        """Column roles (a copy): feature, target, group, stratum, weight, name."""
        return {role: list(cols) for role, cols in self._col_roles.items()}

    def set_col_roles(self, cols: str | Sequence[str], roles: str | Sequence[str]) -> Task:
        """Give ``cols`` exactly the ``roles`` (removing them from any other role); returns the task.

        Examples
        --------
        >>> task = tsk_demo()
        >>> task.set_col_roles("cyl", roles="stratum").col_roles["stratum"]
        ['cyl']
        """
        cols = [cols] if isinstance(cols, str) else list(cols)
        roles = [roles] if isinstance(roles, str) else list(roles)
        for role in roles:
            if role not in COL_ROLES:
                raise TaskError(f"Task {self.id!r}: unknown column role {role!r}.{did_you_mean(role, COL_ROLES)}")
        if "target" in roles:
            raise TaskError(f"Task {self.id!r}: the target cannot be changed; build a new task instead.")
        for col in cols:
            self._check_cols([col])
            if col in self._col_roles["target"]:
                raise TaskError(f"Task {self.id!r}: {col!r} is the target; it cannot take other roles.")
            for role in COL_ROLES:
                if col in self._col_roles[role]:
                    self._col_roles[role].remove(col)
            for role in roles:
                self._col_roles[role].append(col)
            if "feature" in roles and col not in self._col_types:
                self._col_types[col] = column_type(self._data[col])
        order = {c: i for i, c in enumerate(self._data.columns)}
        self._col_roles["feature"].sort(key=order.__getitem__)
        return self

    @property
    def properties(self) -> set[str]:
        """Task properties: twoclass/multiclass, groups, strata, weights."""
        props = set()
        for role, prop in (("group", "groups"), ("stratum", "strata"), ("weight", "weights")):
            if self._col_roles[role]:
                props.add(prop)
        return props

    @property
    def groups(self) -> pd.Series | None:
        """The group of each active row, or None when no column has the role ``group``."""
        cols = self._col_roles["group"]
        return self._data.loc[self._row_ids, cols[0]] if cols else None

    @property
    def strata(self) -> pd.DataFrame | None:
        """The stratum columns for the active rows, or None."""
        cols = self._col_roles["stratum"]
        return self._data.loc[self._row_ids, cols] if cols else None

    @property
    def weights(self) -> pd.Series | None:
        """Observation weights of the active rows, or None."""
        cols = self._col_roles["weight"]
        return self._data.loc[self._row_ids, cols[0]] if cols else None

    # -- data access ---------------------------------------------------------------------------
    def _check_rows(self, rows: RowIds) -> np.ndarray:
        ids = _as_row_ids(rows)
        known = self._data.index
        if ids.size and _is_positional(known) and 0 <= ids.min() and ids.max() < len(known):
            return ids  # row ids 0..n-1 (most tasks): a range check is enough
        if ids.size:
            bad = ids[~np.isin(ids, known.to_numpy())]
            if bad.size:
                lo, hi = (int(known.min()), int(known.max())) if len(known) else (0, -1)
                raise TaskError(
                    f"Task {self.id!r}: row id(s) {bad[:10].tolist()} do not exist; row ids run from {lo} to {hi} "
                    f"({len(known)} rows)."
                )
        return ids

    def _check_cols(self, cols: Iterable[str]) -> list[str]:
        cols = list(cols)
        for col in cols:
            if col not in self._data.columns:
                raise UnknownKeyError(
                    f"Task {self.id!r}: no column {col!r}.{did_you_mean(col, self._data.columns)}"
                )
        return cols

    def data(self, rows: RowIds | None = None, cols: Iterable[str] | None = None) -> pd.DataFrame:
        """Return the data of the active (or the given) rows: target and features by default.

        Parameters
        ----------
        rows : sequence of int, optional
            Row ids; default: the active rows.
        cols : sequence of str, optional
            Columns; default: target then features.

        Examples
        --------
        >>> tsk_demo().data(rows=[0, 1], cols=["mpg", "cyl"])
            mpg  cyl
        0  21.0    6
        1  21.0    6
        """
        ids = self._row_ids if rows is None else self._check_rows(rows)
        cols = self.target_names + self.feature_names if cols is None else self._check_cols([cols] if isinstance(cols, str) else cols)
        if rows is None and len(ids) == len(self._data) and np.array_equal(ids, self._data.index.to_numpy()):
            if cols == list(self._data.columns):
                return self._data.copy(deep=False)  # copy-on-write: a new frame, no column lookups
            return self._data[cols]
        # by position: label lookups (.loc) cost ~0.5 ms per call even for one row
        return self._data.iloc[self._positions(ids), self._data.columns.get_indexer(cols)]

    def _positions(self, ids: np.ndarray | None = None) -> np.ndarray:
        """Positions in the data frame of the row ids ``ids`` (default: the active rows), already checked."""
        ids = self._row_ids if ids is None else ids
        index = self._data.index
        return ids if _is_positional(index) else index.get_indexer(ids)

    def _column_values(self, col: str, rows: RowIds | None = None) -> np.ndarray:
        """One column's values of the active (or the given) rows as a numpy array, without a Series."""
        ids = self._row_ids if rows is None else self._check_rows(rows)
        cache = self.__dict__.get("_values_cache")
        if cache is None:  # an unpickled task
            cache = self._values_cache = {}
        entry = cache.get(col)
        if entry is None or entry[0] is not self._data:  # pandas' column lookup costs more than the take
            entry = cache[col] = (self._data, self._data[col].array)
        return np.asarray(entry[1].take(self._positions(ids)))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_values_cache", None)
        return state

    def head(self, n: int = 6) -> pd.DataFrame:
        """Return the first ``n`` active rows."""
        return self.data(rows=self._row_ids[:n])

    def truth(self, rows: RowIds | None = None) -> pd.Series:
        """Return the target values of the active (or the given) rows."""
        ids = self._row_ids if rows is None else self._check_rows(rows)
        column = self._data[self.target_names[0]]
        if rows is None and len(ids) == len(column) and np.array_equal(ids, column.index.to_numpy()):
            return column
        return column.take(self._positions(ids))

    def missings(self, cols: Iterable[str] | None = None) -> pd.Series:
        """Count missing values per column over the active rows (target and features by default)."""
        cols = self.target_names + self.feature_names if cols is None else self._check_cols([cols] if isinstance(cols, str) else cols)
        counts = [int(pd.isna(self._column_values(col)).sum()) for col in cols]  # no frame built
        return pd.Series(counts, index=pd.Index(cols, dtype=object), dtype=np.int64)

    # -- changing rows and columns -------------------------------------------------------------
    def filter(self, rows: RowIds) -> Task:
        """Keep only the given row ids active (in place, as in mlr3); returns the task."""
        self._row_ids = self._check_rows(rows)
        return self

    def select(self, cols: Iterable[str]) -> Task:
        """Keep only the given features active (in place); returns the task."""
        cols = [cols] if isinstance(cols, str) else list(cols)
        features = set(self.feature_names)
        for col in cols:
            if col not in features:
                raise UnknownKeyError(
                    f"Task {self.id!r}: {col!r} is not an active feature.{did_you_mean(col, features)}"
                )
        wanted = set(cols)
        self._col_roles["feature"] = [c for c in self._col_roles["feature"] if c in wanted]
        return self

    def cbind(self, data: pd.DataFrame) -> Task:
        """Add the columns of ``data`` (indexed by row ids) as features; returns the task."""
        data = data.rename(columns=lambda c: c if isinstance(c, str) else str(c))
        clash = [c for c in data.columns if c in self._data.columns]
        if clash:
            raise TaskError(f"Task {self.id!r}: cbind would overwrite existing columns {clash}.")
        if not data.index.isin(self._data.index).all():
            raise TaskError(f"Task {self.id!r}: cbind data has row ids that the task does not have.")
        self._data = pd.concat([self._data, data.reindex(self._data.index)], axis=1)
        for col in data.columns:
            self._col_types[col] = column_type(self._data[col])
            self._col_roles["feature"].append(col)
        return self

    def replace_features(self, features: pd.DataFrame) -> Task:
        """Return a new task whose features are the columns of ``features``.

        ``features`` is indexed by the active row ids (as returned by ``data()``). Target and
        columns with other roles are kept. This is how preprocessing PipeOps produce their output.
        """
        missing = np.setdiff1d(self._row_ids, features.index.to_numpy())
        if missing.size:
            raise TaskError(f"Task {self.id!r}: new features lack row ids {missing[:10].tolist()}.")
        keep = [c for role, cols in self._col_roles.items() if role != "feature" for c in cols]
        keep = list(dict.fromkeys(keep))
        # active rows may repeat (bootstrap); the new frame holds each row once, the task keeps the repeats
        unique_ids = pd.unique(self._row_ids)
        base = self._data.loc[unique_ids, keep]
        features = features.rename(columns=lambda c: c if isinstance(c, str) else str(c))
        if features.index.has_duplicates:
            features = features[~features.index.duplicated(keep="first")]
        clash = [c for c in features.columns if c in keep]
        if clash:
            raise TaskError(f"Task {self.id!r}: new feature names {clash} clash with the target or role columns.")
        new = self.clone()
        new._values_cache = {}
        new._data = pd.concat([base, features.loc[unique_ids]], axis=1)
        new._col_roles["feature"] = list(features.columns)
        new._col_types = {c: column_type(new._data[c]) for c in features.columns}
        return new

    def replace_target(self, values: pd.Series) -> Task:
        """Return a new task whose target on the active rows is ``values`` (indexed by row ids).

        Rows that are not active keep their values; the internal validation task is not changed
        (target transformations handle it themselves). Used by ``po("targettrafoscale")``.

        Examples
        --------
        >>> import jupytorch as jt
        >>> task = jt.tsk("mtcars")
        >>> float(task.replace_target(task.truth() * 2).truth().iloc[0]) == 2 * float(task.truth().iloc[0])
        True
        """
        target = self.target_names[0]
        ids = pd.unique(self._row_ids)
        values = pd.Series(values)
        if values.index.has_duplicates:
            values = values[~values.index.duplicated(keep="first")]
        missing = np.setdiff1d(ids, values.index.to_numpy())
        if missing.size:
            raise TaskError(f"Task {self.id!r}: the new target lacks row ids {missing[:10].tolist()}.")
        new = self.clone()
        data = self._data.copy(deep=False)
        column = data[target].astype(float) if pd.api.types.is_numeric_dtype(data[target]) else data[target].copy()
        column.loc[ids] = values.loc[ids].to_numpy()
        data[target] = column
        new._data = data
        return new

    def clone(self) -> Task:
        """Return an independent copy that shares the (never mutated) data frame."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._col_roles = self.col_roles
        new._col_types = dict(self._col_types)
        new._row_ids = self._row_ids.copy()
        if self._internal_valid_task is not None:
            new._internal_valid_task = self._internal_valid_task.clone()
        return new

    # -- internal validation ---------------------------------------------------------------------
    @property
    def internal_valid_task(self) -> Task | None:
        """A task used for validation during training (early stopping), or None."""
        return self._internal_valid_task

    @internal_valid_task.setter
    def internal_valid_task(self, value: Task | Iterable[int] | None) -> None:
        if value is None:
            self._internal_valid_task = None
            return
        if not isinstance(value, Task):
            ids = self._check_rows(value)
            valid = self.clone()
            valid._internal_valid_task = None
            valid.filter(ids)
            self.filter(np.setdiff1d(self._row_ids, ids, assume_unique=True))
            value = valid
        if value.task_type != self.task_type or value.target_names != self.target_names:
            raise TaskError(
                f"Task {self.id!r}: the internal validation task must have type {self.task_type!r} and target "
                f"{self.target_names}, got {value.task_type!r} with target {value.target_names}."
            )
        missing = sorted(set(self.feature_names) - set(value.feature_names))
        if missing:
            raise TaskError(f"Task {self.id!r}: the internal validation task lacks features {missing}.")
        self._internal_valid_task = value

    # -- display -------------------------------------------------------------------------------
    def _summary_lines(self) -> list[str]:
        lines = [f"* Target: {', '.join(self.target_names)}"]
        props = sorted(self.properties)
        lines.append(f"* Properties: {', '.join(props) if props else '-'}")
        types = self.feature_types
        lines.append(f"* Features ({self.n_features}):")
        for ftype in FEATURE_TYPES:
            names = types.index[types == ftype].tolist()
            if names:
                shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
                lines.append(f"  - {ftype} ({len(names)}): {shown}")
        for role in ("group", "stratum", "weight", "name"):
            if self._col_roles[role]:
                lines.append(f"* {role.capitalize()}: {', '.join(self._col_roles[role])}")
        return lines

    _html_class = "jt-task"

    def _summary_head(self) -> tuple[str, str]:
        label = f": {self.label}" if self.label else ""
        return f"{type(self).__name__}:{self.id}", f" ({self.nrow} x {self.ncol}){label}"

    def _summary_html_extra(self) -> str:
        return self.head(5).to_html(max_cols=12, border=0)


class TaskRegr(Task):
    """A regression task: the target is numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> task = TaskRegr("toy", pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.1]}), target="y")
    >>> task.nrow, task.feature_names
    (3, ['x'])
    """

    task_type = "regr"

    def _prepare_target(self, backend: pd.DataFrame, target: str) -> pd.DataFrame:
        backend = super()._prepare_target(backend, target)
        if not pd.api.types.is_numeric_dtype(backend[target]) or pd.api.types.is_bool_dtype(backend[target]):
            raise TaskError(
                f"TaskRegr {self.id!r}: target {target!r} must be numeric, got dtype {backend[target].dtype}; "
                "use as_task_classif for a categorical target."
            )
        if not pd.api.types.is_float_dtype(backend[target]):
            backend = backend.assign(**{target: backend[target].astype(float)})
        return backend


class TaskClassif(Task):
    """A classification task: the target is categorical.

    Parameters
    ----------
    id, backend, target, label
        As for :class:`Task`.
    positive : str, optional
        For two classes, the positive class (default: the first level).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": ["no", "yes", "no", "yes"]})
    >>> task = TaskClassif("toy", df, target="y", positive="yes")
    >>> task.class_names, task.positive
    (['yes', 'no'], 'yes')
    """

    task_type = "classif"

    def __init__(self, id: str, backend: pd.DataFrame, target: str, positive: str | None = None, label: str = ""):
        super().__init__(id, backend, target, label)
        if positive is not None:
            self.positive = positive

    def _prepare_target(self, backend: pd.DataFrame, target: str) -> pd.DataFrame:
        backend = super()._prepare_target(backend, target)
        column = backend[target]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.cat.remove_unused_categories()
        else:
            if pd.api.types.is_float_dtype(column):
                raise TaskError(
                    f"TaskClassif {self.id!r}: target {target!r} holds floats; use as_task_regr for a numeric "
                    "target or convert it to integers or strings."
                )
            column = column.astype("category")
        if len(column.cat.categories) < 2:
            raise TaskError(
                f"TaskClassif {self.id!r}: target {target!r} has only {len(column.cat.categories)} class "
                f"({list(column.cat.categories)}); classification needs at least two."
            )
        categories = [str(c) for c in column.cat.categories]
        if len(set(categories)) != len(categories):
            raise TaskError(f"TaskClassif {self.id!r}: class labels collide when turned into strings: {categories}.")
        column = column.cat.rename_categories(categories)
        return backend.assign(**{target: column})

    @property
    def class_names(self) -> list[str]:
        """The class labels, positive class first for binary tasks."""
        return list(self._data[self.target_names[0]].cat.categories)

    @property
    def properties(self) -> set[str]:
        """Task properties, including twoclass or multiclass."""
        return super().properties | {"twoclass" if len(self.class_names) == 2 else "multiclass"}

    @property
    def positive(self) -> str | None:
        """The positive class of a binary task (the first level), None for multiclass."""
        return self.class_names[0] if len(self.class_names) == 2 else None

    @positive.setter
    def positive(self, value: str) -> None:
        classes = self.class_names
        if len(classes) != 2:
            raise TaskError(f"TaskClassif {self.id!r}: a positive class needs two classes, the task has {len(classes)}.")
        if value not in classes:
            raise TaskError(f"TaskClassif {self.id!r}: positive class {value!r} is not one of {classes}.")
        target = self.target_names[0]
        order = [value] + [c for c in classes if c != value]
        self._data = self._data.assign(**{target: self._data[target].cat.reorder_categories(order)})


def _as_task(cls: type[Task], x: Any, target: str | None, id: str | None, **kwargs: Any) -> Task:
    if isinstance(x, Task):
        if not isinstance(x, cls):
            raise TaskError(f"Task {x.id!r} is a {type(x).__name__}, not a {cls.__name__}.")
        return x.clone()
    if not isinstance(x, pd.DataFrame):
        try:
            x = pd.DataFrame(x)
        except Exception as error:
            raise TaskError(f"Cannot build a task from a {type(x).__name__}: {error}") from error
    if target is None:
        raise TaskError("Name the target column: target='...'.")
    return cls(id or "data", x, target=target, **kwargs)


def as_task_classif(x: Any, target: str | None = None, id: str | None = None, positive: str | None = None, label: str = "") -> TaskClassif:
    """Build a :class:`TaskClassif` from a DataFrame (or anything DataFrame accepts).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.1, 0.5, 0.9, 0.3], "y": ["a", "b", "b", "a"]})
    >>> as_task_classif(df, target="y", id="toy").class_names
    ['a', 'b']
    """
    return _as_task(TaskClassif, x, target, id, positive=positive, label=label)  # type: ignore[return-value]


def as_task_regr(x: Any, target: str | None = None, id: str | None = None, label: str = "") -> TaskRegr:
    """Build a :class:`TaskRegr` from a DataFrame (or anything DataFrame accepts).

    Examples
    --------
    >>> import pandas as pd
    >>> as_task_regr(pd.DataFrame({"x": [1, 2, 3], "y": [1.0, 2.0, 2.5]}), target="y").task_type
    'regr'
    """
    return _as_task(TaskRegr, x, target, id, label=label)  # type: ignore[return-value]


def unlabelled_task(task_type: str, frame: pd.DataFrame, feature_names: Sequence[str], class_names: Sequence[str] | None = None) -> Task:
    """Build a task over ``frame`` whose target is unknown (all missing), for predicting new data."""
    cls = TaskClassif if task_type == "classif" else TaskRegr
    task = object.__new__(cls)
    target = "__truth__"
    while target in frame.columns:
        target += "_"
    if task_type == "classif":
        truth = pd.Categorical([None] * len(frame), categories=list(class_names or []))
    else:
        truth = np.full(len(frame), np.nan)
    task.id, task.label = "newdata", ""
    task._data = frame.assign(**{target: truth})
    task._row_ids = task._data.index.to_numpy(dtype=np.int64)
    task._col_roles = {role: [] for role in COL_ROLES}
    task._col_roles["target"] = [target]
    task._col_roles["feature"] = list(feature_names)
    task._col_types = {c: column_type(frame[c]) for c in feature_names}
    task._internal_valid_task = None
    return task


def tsk_demo() -> TaskRegr:  # used by doctests only
    """Return a small regression task (the first rows of mtcars) for examples."""
    frame = pd.DataFrame({"mpg": [21.0, 21.0, 22.8, 21.4], "cyl": [6, 6, 4, 6], "disp": [160.0, 160.0, 108.0, 258.0]})
    return TaskRegr("demo", frame, target="mpg")
