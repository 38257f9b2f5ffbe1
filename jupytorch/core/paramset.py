"""Typed hyperparameters: ``Param`` classes, ``ParamSet`` and the ``to_tune`` token.

A ``ParamSet`` holds parameter definitions (type, bounds, levels, default, tags) and the values
set on them. Parameter sets nest: a child set added under a prefix contributes its parameters as
``prefix__id`` (scikit-learn's convention), so a GraphLearner exposes ``pca__rank`` and a torch
learner ``opt__lr``. Dotted keys (``"opt.lr"``, mlr3's spelling) are accepted as aliases.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError, UnknownKeyError, did_you_mean

# the parameter types and the tuning token live in their own modules; they are re-exported here,
# where parameter sets have always been imported from
from jupytorch.core.param import NO_DEFAULT, Param, ParamDbl, ParamFct, ParamInt, ParamLgl, ParamUty
from jupytorch.core.tune_token import TuneToken, to_tune

__all__ = [
    "NO_DEFAULT",
    "Param",
    "ParamInt",
    "ParamDbl",
    "ParamFct",
    "ParamLgl",
    "ParamUty",
    "ParamSet",
    "TuneToken",
    "to_tune",
    "SEP",
]

SEP = "__"

# Bumped whenever any ParamSet in this process gains or loses a parameter or a child: the cached
# structure of every set (its flattened parameters and defaults) is then rebuilt on next use.
# Hooks read the values with defaults on every train and predict, and flattening nested sets each
# time cost as much as a one-row forward pass of a small network.
_structure_generation = [0]


class ParamSet:
    """A set of typed parameters, their values, and nested child sets.

    Parameters
    ----------
    params : mapping of str to Param, optional
        The parameters, by id.
    values : mapping, optional
        Initial values (checked like ``set_values``).
    owner : str
        How errors name the owner, e.g. ``"Learner 'regr.rpart'"``.

    Examples
    --------
    >>> ps = ParamSet({"cp": ParamDbl(0, 1, default=0.01), "minsplit": ParamInt(1, None)})
    >>> opt = ParamSet({"lr": ParamDbl(0, None, default=1e-3)})
    >>> ps.add_child("opt", opt)
    >>> ps.set_values(cp=0.1, opt__lr=0.5).values
    {'cp': 0.1, 'opt__lr': 0.5}
    >>> ps.set_values({"opt.lr": 0.2}).values["opt__lr"]
    0.2
    """

    def __init__(self, params: Mapping[str, Param] | None = None, values: Mapping[str, Any] | None = None, owner: str = ""):
        self.owner = owner
        self._params: dict[str, Param] = {}
        self._values: dict[str, Any] = {}
        self._children: dict[str, ParamSet] = {}
        for pid, param in (params or {}).items():
            self.add(pid, param)
        if values:
            self.set_values(**values)

    # -- structure -------------------------------------------------------------------------
    def add(self, pid: str, param: Param) -> None:
        """Add the parameter ``param`` under the id ``pid``."""
        if SEP in pid or "." in pid:
            raise InvalidParameterError(f"Parameter id {pid!r} may not contain '{SEP}' or '.'.")
        if pid in self._params or pid in self._children:
            raise InvalidParameterError(f"{self._where()}parameter id {pid!r} is already used.")
        param.id = pid
        self._params[pid] = param
        _structure_generation[0] += 1

    def add_child(self, prefix: str, child: ParamSet) -> None:
        """Nest ``child`` so that its parameter ``x`` is reached as ``prefix__x``."""
        if SEP in prefix or "." in prefix or not prefix:
            raise InvalidParameterError(f"A nested parameter prefix must be a plain id, got {prefix!r}.")
        if prefix in self._children or prefix in self._params:
            raise InvalidParameterError(f"{self._where()}prefix {prefix!r} is already used.")
        self._children[prefix] = child
        _structure_generation[0] += 1

    def remove_child(self, prefix: str) -> ParamSet:
        """Remove and return the child set under ``prefix``."""
        _structure_generation[0] += 1
        return self._children.pop(prefix)

    def _structure(self) -> tuple[int, dict[str, Param], dict[str, Any], list[tuple[str, Any]]]:
        """(generation, flattened params, immutable defaults, mutable defaults), cached until the structure changes."""
        cached = self.__dict__.get("_structure_cache")
        if cached is not None and cached[0] == _structure_generation[0]:
            return cached
        params = dict(self._params)
        for prefix, child in self._children.items():
            params.update({f"{prefix}{SEP}{pid}": p for pid, p in child._structure()[1].items()})
        plain: dict[str, Any] = {}
        mutable: list[tuple[str, Any]] = []
        for pid, p in params.items():
            if p.default is NO_DEFAULT:
                continue
            if isinstance(p.default, (list, dict, set)):
                mutable.append((pid, p.default))
            else:
                plain[pid] = p.default
        cached = (_structure_generation[0], params, plain, mutable)
        self.__dict__["_structure_cache"] = cached
        return cached

    def __getstate__(self) -> dict[str, Any]:
        # the cache's generation number means nothing in another process
        return {k: v for k, v in self.__dict__.items() if k != "_structure_cache"}

    def __deepcopy__(self, memo: dict[int, Any]) -> ParamSet:
        # every resampling iteration copies its learner: the definitions are shared (Params do not
        # change), the values and the child sets are copied; the structure cache stays valid
        new = object.__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            if key == "_params":
                new.__dict__[key] = dict(value)
            elif key == "_structure_cache":
                new.__dict__[key] = value
            else:
                new.__dict__[key] = copy.deepcopy(value, memo)
        return new

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def children(self) -> dict[str, ParamSet]:
        """The nested parameter sets by prefix."""
        return dict(self._children)

    @property
    def params(self) -> dict[str, Param]:
        """All parameters by full id, nested ones as ``prefix__id``."""
        return dict(self._structure()[1])

    def ids(self, tags: Iterable[str] | None = None) -> list[str]:
        """Return the full parameter ids, optionally only those with any of ``tags``."""
        wanted = set(tags) if tags is not None else None
        return [pid for pid, p in self.params.items() if wanted is None or p.tags & wanted]

    def __contains__(self, pid: object) -> bool:
        return isinstance(pid, str) and self._normalise(pid) in self.params

    def __len__(self) -> int:
        return len(self.params)

    def __getitem__(self, pid: str) -> Param:
        owner, key = self._lookup(self._normalise(pid))
        return owner._params[key]

    @property
    def default(self) -> dict[str, Any]:
        """The documented defaults of all parameters that have one."""
        return {pid: p.default for pid, p in self.params.items() if p.default is not NO_DEFAULT}

    # -- values ----------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The values set, by full id (a fresh dict: change values with ``set_values``)."""
        out = dict(self._values)
        for prefix, child in self._children.items():
            out.update({f"{prefix}{SEP}{pid}": v for pid, v in child.values.items()})
        return out

    @values.setter
    def values(self, new_values: Mapping[str, Any]) -> None:
        self.reset_values()
        self.set_values(**dict(new_values))

    def reset_values(self) -> None:
        """Remove every set value, here and in the children."""
        self._values.clear()
        for child in self._children.values():
            child.reset_values()

    def set_values(self, __values: Mapping[str, Any] | None = None, /, **values: Any) -> ParamSet:
        """Set values by id; nested ids use ``__`` and dotted ids are accepted as aliases.

        All values are checked before any is set, so a failed call changes nothing.
        Returns the ParamSet itself, so calls chain.
        """
        merged = dict(__values or {})
        merged.update(values)
        resolved = []
        for key, value in merged.items():
            owner, pid = self._lookup(self._normalise(key))
            param = owner._params[pid]
            value = owner._checked(param, value, key)
            resolved.append((owner, pid, value))
        for owner, pid, value in resolved:
            owner._values[pid] = value
        return self

    def unset(self, *pids: str) -> ParamSet:
        """Remove the values of ``pids`` (they fall back to their defaults)."""
        for key in pids:
            owner, pid = self._lookup(self._normalise(key))
            owner._values.pop(pid, None)
        return self

    def get_values(
        self,
        tags: Iterable[str] | None = None,
        *,
        check_required: bool = False,
        tune_tokens: bool = True,
        with_defaults: bool = False,
    ) -> dict[str, Any]:
        """Return the set values, optionally filtered by tags.

        Parameters
        ----------
        tags : iterable of str, optional
            Keep only parameters with any of these tags.
        check_required : bool
            Raise when a required parameter has no value.
        tune_tokens : bool
            If False, raise when a value is still a ``to_tune()`` token (the owner is about to run).
        with_defaults : bool
            Fill in the declared default of every parameter that has no value. This is what the
            hooks of learners, PipeOps, measures and resamplings receive, so that a default is
            written once, in the ParamSet, and never repeated in the code that reads it.

        Examples
        --------
        >>> ps = ParamSet({"cp": ParamDbl(0, 1, default=0.01), "minsplit": ParamInt(1, None, default=20)})
        >>> ps.set_values(minsplit=5).get_values()
        {'minsplit': 5}
        >>> ps.get_values(with_defaults=True)
        {'cp': 0.01, 'minsplit': 5}
        """
        wanted = set(tags) if tags is not None else None
        _, params, plain_defaults, mutable_defaults = self._structure()
        values = self.values
        if check_required:
            missing = [pid for pid, p in params.items() if p.required and pid not in values]
            if missing:
                raise InvalidParameterError(
                    f"{self._where()}required parameter(s) {missing} have no value; set them with "
                    f"set_values({missing[0]}=...)."
                )
        if not tune_tokens:
            tokens = [pid for pid, v in values.items() if isinstance(v, TuneToken)]
            if tokens:
                raise InvalidParameterError(
                    f"{self._where()}parameter(s) {tokens} are set to to_tune(); tune them with "
                    "jt.tune() or jt.auto_tuner(), or set plain values."
                )
        if with_defaults:
            filled = dict(plain_defaults)
            filled.update((pid, _fresh(default)) for pid, default in mutable_defaults)
            filled.update(values)
            values = filled
        if wanted is None:
            return values  # a fresh dict either way
        return {pid: v for pid, v in values.items() if params[pid].tags & wanted}

    def tune_tokens(self) -> dict[str, TuneToken]:
        """Return the ``to_tune()`` tokens that are set, by full id."""
        return {pid: v for pid, v in self.values.items() if isinstance(v, TuneToken)}

    # -- helpers ---------------------------------------------------------------------------
    def _where(self) -> str:
        return f"{self.owner}: " if self.owner else ""

    @staticmethod
    def _normalise(key: str) -> str:
        if not isinstance(key, str):
            raise InvalidParameterError(f"Parameter ids are strings, got {key!r}.")
        return key.replace(".", SEP)

    def _lookup(self, key: str) -> tuple[ParamSet, str]:
        if key in self._params:
            return self, key
        prefix, sep, rest = key.partition(SEP)
        if sep and prefix in self._children:
            try:
                return self._children[prefix]._lookup(rest)
            except UnknownKeyError:
                pass
        raise UnknownKeyError(
            f"{self._where()}unknown parameter {key!r}.{did_you_mean(key, self.params) or self._valid_ids()}"
        )

    def _valid_ids(self) -> str:
        ids = list(self.params)
        if not ids:
            return " It has no parameters."
        shown = ", ".join(repr(i) for i in ids[:15])
        return f" Valid parameters: {shown}" + (" ..." if len(ids) > 15 else ".")

    def _checked(self, param: Param, value: Any, key: str) -> Any:
        where = f"{self._where()}parameter {key!r}"
        if isinstance(value, TuneToken):
            return value.resolved_for(param, where)
        problem = param.check(value)
        if problem is not None:
            raise InvalidParameterError(f"{where} must be {problem}. Got {_show(value)} instead.")
        return param.convert(value)

    def __repr__(self) -> str:
        rows = []
        values = self.values
        for pid, p in self.params.items():
            value = f" = {_show(values[pid])}" if pid in values else ""
            rows.append(f"  {pid}: {p.type_name}{value}")
        head = f"<ParamSet{(' of ' + self.owner) if self.owner else ''} ({len(rows)} parameters)>"
        return "\n".join([head, *rows])

    def as_data_frame(self):  # noqa: ANN201 - pandas is imported lazily
        """Return one row per parameter: id, type, lower, upper, levels, default, value, tags."""
        import pandas as pd

        values = self.values
        rows = []
        for pid, p in self.params.items():
            rows.append(
                {
                    "id": pid,
                    "type": p.type_name,
                    "lower": getattr(p, "lower", None),
                    "upper": getattr(p, "upper", None),
                    "levels": getattr(p, "levels", None),
                    "default": None if p.default is NO_DEFAULT else p.default,
                    "value": values.get(pid),
                    "tags": sorted(p.tags),
                }
            )
        return pd.DataFrame(rows, columns=["id", "type", "lower", "upper", "levels", "default", "value", "tags"])


def _show(value: Any) -> str:
    text = repr(value).split("\n", 1)[0]  # multi-line printers (measures, tasks) shown by their head
    return text if len(text) <= 80 else text[:77] + "..."


def _fresh(default: Any) -> Any:
    """A copy of a mutable default (a list, dict or set), so that a hook that changes it changes no other run."""
    return type(default)(default) if isinstance(default, (list, dict, set)) else default
