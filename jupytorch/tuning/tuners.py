"""Tuners: ``tnr("random_search" | "grid_search" | "tpe" | "mbo" | "cmaes" | "internal")``.

A tuner decides which configurations are tried; underneath each is an Optuna sampler
(``RandomSampler``, ``GridSampler``, ``TPESampler``, ``GPSampler`` for Bayesian optimization with
a Gaussian process, ``CmaEsSampler``). ``batch_size`` configurations are proposed at a time and
evaluated together (in parallel with ``tune(..., n_jobs=...)``), so that the same seed gives the
same archive whatever ``n_jobs`` is.
"""

from __future__ import annotations

import html
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.registry import registry
from jupytorch.core.sugar import build

__all__ = ["Tuner", "TunerCmaEs", "TunerGridSearch", "TunerInternal", "TunerMBO", "TunerRandomSearch", "TunerTPE", "tnr", "tnrs"]


class Tuner:
    """Base class: proposes configurations through an Optuna sampler.

    Parameters
    ----------
    seed : int, optional
        Seeds the sampler (``tune(seed=...)`` is used when None).
    batch_size : int
        Configurations proposed and evaluated together.
    **options
        Passed on to the Optuna sampler.

    Examples
    --------
    >>> tnr("tpe", seed=1)
    <Tuner tpe (TPESampler), seed=1>
    """

    id = "tuner"
    sampler_class = "RandomSampler"
    label = ""

    def __init__(self, seed: int | None = None, batch_size: int = 1, **options: Any):
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidParameterError(f"Tuner {self.id!r}: batch_size must be a positive integer, got {batch_size!r}.")
        self.seed = seed
        self.batch_size = batch_size
        self.options = options

    def sampler(self, space: Any, seed: int | None) -> Any:
        """The Optuna sampler for ``space``, seeded with ``self.seed`` or else ``seed``."""
        import optuna

        return getattr(optuna.samplers, self.sampler_class)(seed=self._seed(seed), **self.options)

    def _seed(self, seed: int | None) -> int | None:
        return self.seed if self.seed is not None else seed

    def check(self, space: Any) -> None:
        """Raise when this tuner cannot search ``space``."""
        if len(space) == 0 and not space.internal:
            raise InvalidParameterError(
                f"Tuner {self.id!r}: the learner has no to_tune() tokens; set some with "
                "learner.param_set.set_values(x=jt.to_tune(lower, upper))."
            )

    def default_terminator(self) -> Any:
        """The terminator used when ``tune()`` gets none (None: one must be given)."""
        return None

    def __repr__(self) -> str:
        seed = f", seed={self.seed}" if self.seed is not None else ""
        return f"<Tuner {self.id} ({self.sampler_class}){seed}>"

    def _repr_html_(self) -> str:
        return f"<span class='jt-tuner'>{html.escape(repr(self))}</span>"


class TunerRandomSearch(Tuner):
    """Random search: every configuration drawn independently (``optuna.samplers.RandomSampler``).

    Examples
    --------
    >>> tnr("random_search", seed=3).seed
    3
    """

    id, sampler_class, label = "random_search", "RandomSampler", "Random Search"


class TunerGridSearch(Tuner):
    """Grid search: ``resolution`` points per range (``param_resolutions`` per parameter), every level.

    Stops by itself when the grid is exhausted. Points are visited in a seeded random order.

    Examples
    --------
    >>> tnr("grid_search", resolution=3).resolution
    3
    """

    id, sampler_class, label = "grid_search", "GridSampler", "Grid Search"

    def __init__(self, resolution: int = 5, param_resolutions: dict[str, int] | None = None, seed: int | None = None, batch_size: int = 1):
        super().__init__(seed, batch_size)
        if not isinstance(resolution, int) or resolution < 1:
            raise InvalidParameterError(f"Tuner 'grid_search': resolution must be a positive integer, got {resolution!r}.")
        self.resolution = resolution
        self.param_resolutions = dict(param_resolutions or {})

    def sampler(self, space: Any, seed: int | None) -> Any:
        import optuna

        class GridSampler(optuna.samplers.GridSampler):
            # Optuna's calls study.stop() when the grid is exhausted, which only works inside
            # study.optimize(); tune() asks is_exhausted() before every batch instead.
            def after_trial(self, *args: Any, **kwargs: Any) -> None:
                return None

        return GridSampler(space.grid(self.resolution, self.param_resolutions), seed=self._seed(seed))

    def check(self, space: Any) -> None:
        super().check(space)
        if any(d.requires for d in space.dimensions):
            return
        space.grid(self.resolution, self.param_resolutions)  # raises on unknown param_resolutions

    def default_terminator(self) -> Any:
        from jupytorch.tuning.terminators import TerminatorNone

        return TerminatorNone()


class TunerTPE(Tuner):
    """Tree-structured Parzen estimator (``optuna.samplers.TPESampler``), multivariate by default.

    Examples
    --------
    >>> tnr("tpe", n_startup_trials=5).options["n_startup_trials"]
    5
    """

    id, sampler_class, label = "tpe", "TPESampler", "Tree-structured Parzen Estimator"

    def __init__(self, seed: int | None = None, batch_size: int = 1, **options: Any):
        options.setdefault("multivariate", True)
        options.setdefault("group", True)  # conditional spaces (branches) are modelled per group
        super().__init__(seed, batch_size, **options)

    def sampler(self, space: Any, seed: int | None) -> Any:
        import warnings

        import optuna

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.TPESampler(seed=self._seed(seed), **self.options)


class TunerMBO(Tuner):
    """Model-based (Bayesian) optimization with a Gaussian process (``optuna.samplers.GPSampler``).

    Examples
    --------
    >>> tnr("mbo", seed=1).label
    'Bayesian Optimization (Gaussian process)'
    """

    id, sampler_class, label = "mbo", "GPSampler", "Bayesian Optimization (Gaussian process)"

    def __init__(self, seed: int | None = None, batch_size: int = 1, **options: Any):
        options.setdefault("n_startup_trials", 4)
        super().__init__(seed, batch_size, **options)


class TunerCmaEs(Tuner):
    """Covariance matrix adaptation evolution strategy (``optuna.samplers.CmaEsSampler``).

    Categorical parameters are drawn at random (CMA-ES searches numeric ranges).

    Examples
    --------
    >>> tnr("cmaes", seed=1).id
    'cmaes'
    """

    id, sampler_class, label = "cmaes", "CmaEsSampler", "CMA-ES"

    def __init__(self, seed: int | None = None, batch_size: int = 1, **options: Any):
        options.setdefault("warn_independent_sampling", False)
        super().__init__(seed, batch_size, **options)


class TunerInternal(Tuner):
    """Only internal tuning: one evaluation in which the learner tunes itself (early-stopped epochs).

    Examples
    --------
    >>> tnr("internal").default_terminator()
    <Terminator evals: n_evals=1>
    """

    id, sampler_class, label = "internal", "RandomSampler", "Internal Tuning Only"

    def check(self, space: Any) -> None:
        if len(space) > 0:
            raise InvalidParameterError(
                f"Tuner 'internal' only runs internal tuning, but parameters {space.ids} are set to to_tune() without "
                "internal=True; use another tuner (e.g. tnr('tpe')) or set plain values."
            )
        if not space.internal:
            raise InvalidParameterError(
                "Tuner 'internal' needs a parameter set to to_tune(upper=..., internal=True) (e.g. epochs)."
            )

    def default_terminator(self) -> Any:
        from jupytorch.tuning.terminators import TerminatorEvals

        return TerminatorEvals(1)


def tnr(key: str, **kwargs: Any) -> Tuner:
    """Return a tuner: ``random_search``, ``grid_search``, ``tpe``, ``mbo``, ``cmaes`` or ``internal``.

    Examples
    --------
    >>> tnr("grid_search", resolution=4, seed=1)
    <Tuner grid_search (GridSampler), seed=1>
    """
    return build(registry("tuner"), key, kwargs)


def tnrs() -> Any:
    """A DataFrame listing the tuners.

    Examples
    --------
    >>> "mbo" in set(tnrs()["key"])
    True
    """
    from jupytorch.core.sugar import _listing

    return _listing("tuner", None)
