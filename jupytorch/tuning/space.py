"""Search spaces: the ``to_tune()`` tokens of a learner as Optuna distributions.

Every token set on a learner's parameters (nested GraphLearner ids with ``__`` included) becomes
one dimension: an int or float range (``logscale`` searched on a log scale), or a choice among
levels. Optuna's categorical choices must be plain values (str, int, float, bool, None), so levels
such as tuples (``neurons=(64, 32)``) are offered to Optuna as labels and mapped back by position.
Tokens with ``internal=True`` (``epochs``) are not sampled: the learner sets them itself by early
stopping, up to the token's upper bound.

Dependencies: a parameter may only matter when another has certain values. Parameters of the
PipeOps on one path of a ``po("branch")`` depend on that branch's ``selection``; they are found
in the learner's graph (blocks of ``nn("block", ...)`` included) and inactive parameters are not
sampled, so no trial is spent on them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError, did_you_mean
from jupytorch.core.paramset import SEP, TuneToken

__all__ = ["Dimension", "SearchSpace", "aggregate_internal", "branch_dependencies", "sibling"]

_PLAIN = (str, int, float, bool, type(None))


@dataclasses.dataclass
class Dimension:
    """One tuned parameter: its id, kind, range or levels, and the conditions that make it active.

    Examples
    --------
    >>> d = Dimension("neurons", "categorical", levels=[(8,), (16, 8)])
    >>> d.choices
    ['(8,)', '(16, 8)']
    >>> d.decode("(16, 8)")
    (16, 8)
    """

    id: str
    kind: str  # "int", "float" or "categorical"
    lower: float | None = None
    upper: float | None = None
    logscale: bool = False
    levels: list[Any] | None = None
    requires: list[tuple[str, tuple[Any, ...]]] = dataclasses.field(default_factory=list)

    @property
    def choices(self) -> list[Any]:
        """What Optuna chooses among: the levels themselves when they are plain, else labels."""
        levels = self.levels or []
        if all(isinstance(v, _PLAIN) for v in levels) and len({(type(v), v) for v in levels}) == len(levels):
            return list(levels)
        labels = [repr(v) for v in levels]
        if len(set(labels)) != len(labels):
            labels = [f"{i}: {label}" for i, label in enumerate(labels)]
        return labels

    def distribution(self) -> Any:
        """The ``optuna.distributions`` object of this dimension."""
        from optuna import distributions as d

        if self.kind == "int":
            return d.IntDistribution(int(self.lower), int(self.upper), log=self.logscale)  # type: ignore[arg-type]
        if self.kind == "float":
            return d.FloatDistribution(float(self.lower), float(self.upper), log=self.logscale)  # type: ignore[arg-type]
        return d.CategoricalDistribution(self.choices)

    def decode(self, raw: Any) -> Any:
        """The parameter value for what Optuna chose (a label becomes its level)."""
        if self.kind == "int":
            return int(raw)
        if self.kind == "float":
            return float(raw)
        choices = self.choices
        for choice, level in zip(choices, self.levels or []):
            if choice == raw and type(choice) is type(raw):
                return level
        return self.levels[choices.index(raw)]  # type: ignore[index]

    def encode(self, value: Any) -> Any:
        """What Optuna would choose to get ``value`` (the inverse of :meth:`decode`)."""
        if self.kind != "categorical":
            return value
        for choice, level in zip(self.choices, self.levels or []):
            if level == value and type(level) is type(value):
                return choice
        raise InvalidParameterError(f"{value!r} is not one of the levels {self.levels!r} of {self.id!r}.")

    def grid(self, resolution: int) -> list[Any]:
        """``resolution`` evenly spread points (on the log scale with ``logscale``), or every level."""
        if self.kind == "categorical":
            return list(self.choices)
        lower, upper = float(self.lower), float(self.upper)  # type: ignore[arg-type]
        points = np.geomspace(lower, upper, resolution) if self.logscale else np.linspace(lower, upper, resolution)
        if self.kind == "int":
            return sorted({round(p) for p in points})
        return [float(p) for p in points]

    def describe(self) -> str:
        """A short text for printers: ``int [1, 5]``, ``float [1e-4, 0.1] log``, ``['relu', 'tanh']``."""
        if self.kind == "categorical":
            return repr(self.levels)
        return f"{self.kind} [{self.lower:g}, {self.upper:g}]" + (" log" if self.logscale else "")


def _token_dimension(pid: str, token: TuneToken) -> Dimension:
    if token.levels is not None:
        return Dimension(pid, "categorical", levels=list(token.levels))
    kind = "int" if token.param_type == "int" else "float"
    return Dimension(pid, kind, token.lower, token.upper, bool(token.logscale))


# -- dependencies from graphs ---------------------------------------------------------------------
def _graph_of(learner: Any) -> Any:
    return getattr(learner, "graph", None)


def branch_dependencies(learner_or_graph: Any) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """Parameter-id prefixes that only matter for some values of a branch's ``selection``.

    Returns ``{prefix: (selection_id, allowed_values)}``: every parameter whose id starts with
    ``prefix`` is active only when the parameter ``selection_id`` has one of ``allowed_values``.

    Examples
    --------
    >>> from jupytorch import ppl, po
    >>> graph = ppl("branch", {"pca": po("pca"), "scale": po("scale")})
    >>> branch_dependencies(graph)["pca__"]
    ('branch__selection', ('pca',))
    """
    graph = _graph_of(learner_or_graph) or learner_or_graph
    out: dict[str, tuple[str, tuple[Any, ...]]] = {}
    _collect_dependencies(graph, "", out)
    return out


def _collect_dependencies(graph: Any, prefix: str, out: dict[str, tuple[str, tuple[Any, ...]]]) -> None:
    from jupytorch.pipelines.branch import PipeOpBranch, PipeOpUnbranch
    from jupytorch.pipelines.graph import Graph

    ops = getattr(graph, "_pipeops", {})
    edges = getattr(graph, "_edges", [])
    for op_id, op in ops.items():
        inner = getattr(op, "block", None)
        if isinstance(inner, Graph):
            _collect_dependencies(inner, f"{prefix}{op_id}{SEP}", out)
        if not isinstance(op, PipeOpBranch):
            continue
        named = all(not name.isdigit() for name in op.options)
        reached: dict[str, set[Any]] = {}
        for position, channel in enumerate(op.options):
            seen: set[str] = set()
            todo = [e.dst_id for e in edges if e.src_id == op_id and e.src_channel == channel]
            while todo:
                node = todo.pop()
                if node in seen or isinstance(ops[node], PipeOpUnbranch):
                    continue
                seen.add(node)
                todo.extend(e.dst_id for e in edges if e.src_id == node)
            value = channel if named else position + 1
            for node in seen:
                reached.setdefault(node, set()).add(value)
        for node, values in reached.items():
            if len(values) < len(op.options):
                ordered = tuple(v for v in (op.options if named else range(1, len(op.options) + 1)) if v in values)
                out[f"{prefix}{node}{SEP}"] = (f"{prefix}{op_id}{SEP}selection", ordered)


# -- the search space ----------------------------------------------------------------------------
class SearchSpace:
    """The dimensions a tuner samples, built from a learner's ``to_tune()`` tokens.

    Parameters
    ----------
    dimensions : list of Dimension
        The sampled parameters (in sampling order: those others depend on come first).
    internal : dict of str to TuneToken
        Parameters the learner tunes itself (``internal=True``).
    fixed : dict
        The learner's other values (a condition on a parameter that is not tuned reads them).

    Examples
    --------
    >>> import jupytorch as jt
    >>> learner = jt.lrn("regr.rpart", cp=jt.to_tune(1e-3, 0.1, logscale=True), maxdepth=jt.to_tune(1, 5))
    >>> space = SearchSpace.from_learner(learner)
    >>> [d.describe() for d in space.dimensions]
    ['float [0.001, 0.1] log', 'int [1, 5]']
    """

    def __init__(self, dimensions: list[Dimension], internal: Mapping[str, TuneToken] | None = None,
                 fixed: Mapping[str, Any] | None = None, defaults: Mapping[str, Any] | None = None):
        self.dimensions = _dependency_order(dimensions)
        self.internal = dict(internal or {})
        self.fixed = dict(fixed or {})
        self.defaults = dict(defaults or {})

    @classmethod
    def from_learner(cls, learner: Any) -> SearchSpace:
        """Read the tokens of ``learner.param_set`` and the dependencies of its graph."""
        ps = learner.param_set
        tokens = ps.tune_tokens()
        deps = branch_dependencies(learner) if _graph_of(learner) is not None else {}
        dims, internal = [], {}
        for pid, token in tokens.items():
            if token.internal:
                internal[pid] = token
                continue
            dim = _token_dimension(pid, token)
            dim.requires = [(on, values) for prefix, (on, values) in deps.items() if pid.startswith(prefix)]
            dims.append(dim)
        fixed = {pid: v for pid, v in ps.values.items() if not isinstance(v, TuneToken)}
        return cls(dims, internal, fixed, ps.default)

    def __len__(self) -> int:
        return len(self.dimensions)

    def __getitem__(self, pid: str) -> Dimension:
        for dim in self.dimensions:
            if dim.id == pid:
                return dim
        raise KeyError(f"{pid!r} is not tuned.{did_you_mean(pid, [d.id for d in self.dimensions])}")

    @property
    def ids(self) -> list[str]:
        """The ids of the sampled parameters."""
        return [d.id for d in self.dimensions]

    def is_active(self, dim: Dimension, config: Mapping[str, Any]) -> bool:
        """Whether every condition of ``dim`` holds for ``config`` (and the learner's other values)."""
        for on, allowed in dim.requires:
            value = config.get(on, self.fixed.get(on, self.defaults.get(on)))
            if value not in allowed:
                return False
        return True

    def sample(self, trial: Any) -> dict[str, Any]:
        """Ask ``trial`` (an ``optuna.Trial``) for every active dimension; return parameter values."""
        config: dict[str, Any] = {}
        for dim in self.dimensions:
            if self.is_active(dim, config):
                config[dim.id] = dim.decode(_suggest(trial, dim))
        return config

    def assign(self, param_set: Any, values: Mapping[str, Any]) -> None:
        """Set ``values`` on ``param_set`` and unset the tuned parameters they leave out.

        A dimension that is inactive in a configuration (a parameter on a branch path not taken)
        has no value in it; its ``to_tune()`` token is removed so that the parameter falls back to
        its default instead of reaching training as a token.

        Examples
        --------
        >>> from jupytorch import po, ppl, to_tune
        >>> import jupytorch as jt
        >>> learner = jt.as_learner(ppl("branch", {"pca": po("pca"), "none": po("nop")}) >> jt.lrn("classif.rpart"))
        >>> _ = learner.param_set.set_values(branch__selection=to_tune(), pca__rank=to_tune(1, 3))
        >>> space = SearchSpace.from_learner(learner)
        >>> space.assign(learner.param_set, {"branch__selection": "none"})
        >>> "pca__rank" in learner.param_set.values
        False
        """
        param_set.set_values(**values)
        left_out = [pid for pid in self.ids if pid not in values]
        if left_out:
            param_set.unset(*left_out)

    def decode(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Parameter values for the raw ``trial.params`` of a finished trial."""
        out = {}
        for dim in self.dimensions:
            if dim.id in params:
                out[dim.id] = dim.decode(params[dim.id])
        return out

    def distributions(self) -> dict[str, Any]:
        """Every dimension's Optuna distribution, by id."""
        return {d.id: d.distribution() for d in self.dimensions}

    def grid(self, resolution: int = 5, param_resolutions: Mapping[str, int] | None = None) -> dict[str, list[Any]]:
        """The grid of ``tnr("grid_search")``: points per dimension (``param_resolutions`` per id)."""
        param_resolutions = dict(param_resolutions or {})
        unknown = [pid for pid in param_resolutions if pid not in self.ids]
        if unknown:
            raise InvalidParameterError(
                f"grid_search: param_resolutions names {unknown}, which are not tuned; tuned: {self.ids}."
                + did_you_mean(unknown[0], self.ids)
            )
        return {d.id: d.grid(int(param_resolutions.get(d.id, resolution))) for d in self.dimensions}

    def internal_upper(self) -> dict[str, Any]:
        """The values the internally tuned parameters train with: their upper bounds."""
        return {pid: (int(t.upper) if t.param_type == "int" else t.upper) for pid, t in self.internal.items()}

    def __repr__(self) -> str:
        rows = [f"  {d.id}: {d.describe()}" + ("".join(f" if {on} in {list(v)}" for on, v in d.requires)) for d in self.dimensions]
        rows += [f"  {pid}: internal, up to {t.upper}" for pid, t in self.internal.items()]
        return "\n".join([f"<SearchSpace> of {len(self)} parameters", *rows])


def _suggest(trial: Any, dim: Dimension) -> Any:
    if dim.kind == "int":
        return trial.suggest_int(dim.id, int(dim.lower), int(dim.upper), log=dim.logscale)  # type: ignore[arg-type]
    if dim.kind == "float":
        return trial.suggest_float(dim.id, float(dim.lower), float(dim.upper), log=dim.logscale)  # type: ignore[arg-type]
    return trial.suggest_categorical(dim.id, dim.choices)


def _dependency_order(dims: Iterable[Dimension]) -> list[Dimension]:
    """Order ``dims`` so that a dimension comes after the tuned dimensions its conditions read."""
    pending = list(dims)
    ids = {d.id for d in pending}
    done: list[Dimension] = []
    placed: set[str] = set()
    while pending:
        for dim in pending:
            if all(on not in ids or on in placed for on, _ in dim.requires):
                done.append(dim)
                placed.add(dim.id)
                pending.remove(dim)
                break
        else:  # a cycle cannot come from graphs; keep the rest as given
            done.extend(pending)
            break
    return done


def sibling(pid: str, name: str) -> str:
    """The id of parameter ``name`` next to ``pid`` (same owner): ``sibling("m__epochs", "patience")``.

    Examples
    --------
    >>> sibling("torch_model_regr__epochs", "patience"), sibling("epochs", "patience")
    ('torch_model_regr__patience', 'patience')
    """
    prefix, sep, _ = pid.rpartition(SEP)
    return f"{prefix}{sep}{name}"


def aggregate_internal(values: list[Any], token: TuneToken) -> Any:
    """Combine the internally tuned values of several folds: ``token.aggregate`` or the ceiling of the mean.

    Examples
    --------
    >>> from jupytorch.core.paramset import TuneToken
    >>> aggregate_internal([3, 4, 4], TuneToken(1, 10, internal=True, param_type="int"))
    4
    """
    values = [v for v in values if v is not None]
    if not values:
        return None
    if token.aggregate is not None:
        return token.aggregate(values)
    return math.ceil(float(np.mean(values)))
