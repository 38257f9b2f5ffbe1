"""Alternative paths: ``po("branch")``, ``po("unbranch")`` and ``ppl("branch", {...})``.

``po("branch")`` sends its input down the selected output and :data:`NO_OP` down the others;
PipeOps whose inputs are all NO_OP are skipped; ``po("unbranch")`` passes on the one input that
is not NO_OP. The ``selection`` parameter (``branch__selection`` in a Graph) is tunable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamFct, ParamInt, ParamSet
from jupytorch.pipelines.channels import NO_OP, VARARG, ChannelTypeError, GraphError
from jupytorch.pipelines.graph import Graph, as_graph, gunion
from jupytorch.pipelines.pipeop import PipeOp

__all__ = ["PipeOpBranch", "PipeOpUnbranch", "pipeline_branch"]


def _option_names(options: int | Sequence[str], what: str) -> tuple[list[str], bool]:
    if isinstance(options, (int, np.integer)) and not isinstance(options, bool):
        if options < 1:
            raise InvalidParameterError(f"po({what!r}): options must be at least 1, got {options}.")
        return [f"output{i + 1}" for i in range(int(options))], False
    names = [str(o) for o in options]
    if not names or len(set(names)) != len(names):
        raise InvalidParameterError(f"po({what!r}): options must be unique names, got {names}.")
    return names, True


class PipeOpBranch(PipeOp):
    """Send the input down one of several outputs, chosen by the ``selection`` parameter.

    Parameters
    ----------
    options : int or sequence of str
        ``n``: outputs ``output1`` ... ``output<n>`` and an integer ``selection`` in 1..n.
        Names: outputs with those names and ``selection`` one of them (default: the first).
    id : str
    param_vals : mapping, optional

    Examples
    --------
    >>> from jupytorch import po
    >>> op = po("branch", options=["a", "b"], selection="b")
    >>> op.train([1])
    [NO_OP, 1]
    """

    kind = "meta"

    def __init__(self, options: int | Sequence[str] = 2, id: str = "branch", param_vals: Mapping[str, Any] | None = None):
        names, named = _option_names(options, "branch")
        self.options = names
        if named:
            selection = ParamFct(names, default=names[0], tags=("train", "predict", "required"))
        else:
            selection = ParamInt(1, len(names), default=1, tags=("train", "predict", "required"))
        ps = ParamSet({"selection": selection})
        ps.set_values(selection=names[0] if named else 1)
        super().__init__(id, param_set=ps, param_vals=param_vals, output=[(n, "*", "*") for n in names])

    def _index(self) -> int:
        selection = self.param_values()["selection"]
        return self.options.index(selection) if isinstance(selection, str) else int(selection) - 1

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {}
        return self._route(inputs[0])

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return self._route(inputs[0])

    def _route(self, value: Any) -> list[Any]:
        out: list[Any] = [NO_OP] * len(self.options)
        out[self._index()] = value
        return out


class PipeOpUnbranch(PipeOp):
    """Join the paths of a ``po("branch")``: pass on the one input that is not NO_OP.

    Parameters
    ----------
    options : int or sequence of str, default 0
        ``0``: one vararg input ``"..."``; ``n`` or names: that many named inputs
        (``input1`` ... or the names).
    id : str
    param_vals : mapping, optional

    Examples
    --------
    >>> from jupytorch import po, NO_OP
    >>> po("unbranch").train([NO_OP, 7])
    [7]
    """

    kind = "meta"
    accepts_noop = True

    def __init__(self, options: int | Sequence[str] = 0, id: str = "unbranch", param_vals: Mapping[str, Any] | None = None):
        if isinstance(options, (int, np.integer)) and not isinstance(options, bool):
            names = [VARARG] if options == 0 else [f"input{i + 1}" for i in range(int(options))]
        else:
            names = _option_names(options, "unbranch")[0]
        super().__init__(id, param_vals=param_vals, input=[(n, "*", "*") for n in names])

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {}
        return self._pick(inputs, "train")

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return self._pick(inputs, "predict")

    def _pick(self, inputs: list[Any], phase: str) -> list[Any]:
        real = [x for x in inputs if x is not NO_OP]
        if len(real) != 1:
            raise ChannelTypeError(
                f"PipeOp {self.id!r} got {len(real)} inputs that are not NO_OP during {phase}(); exactly one path of a "
                "branch must be active. Are several branches joined in one unbranch?"
            )
        return real


def pipeline_branch(
    graphs: Mapping[str, Any] | Sequence[Any],
    prefix_branchops: str = "",
    prefix_paths: bool = False,
) -> Graph:
    """Build ``po("branch") >> [path, ...] >> po("unbranch")``: one path runs, chosen by ``branch__selection``.

    Parameters
    ----------
    graphs : dict of str to Graph/PipeOp/Learner, or a list of them
        The paths. With a dict, ``selection`` takes the names; with a list, 1..n.
    prefix_branchops : str
        Prefix of the branch and unbranch ids (``"act_"`` gives ``act_branch``).
    prefix_paths : bool
        Prefix the ids of each path's PipeOps with ``<name>_``.

    Examples
    --------
    >>> from jupytorch import ppl, po, tsk
    >>> graph = ppl("branch", {"pca": po("pca"), "scale": po("scale")})
    >>> graph.param_set.set_values(branch__selection="scale").values["branch__selection"]
    'scale'
    >>> graph.train(tsk("mtcars"))[0].feature_names[:2]
    ['cyl', 'disp']
    """
    if isinstance(graphs, Mapping):
        names = [str(k) for k in graphs]
        paths = [as_graph(g) for g in graphs.values()]
        options: int | list[str] = names
    else:
        paths = [as_graph(g) for g in graphs]
        names = [str(i + 1) for i in range(len(paths))]
        options = len(paths)
    if not paths:
        raise GraphError("ppl('branch') needs at least one path.")
    for name, path in zip(names, paths):
        n_in, n_out = len(path._free_inputs()), len(path._free_outputs())
        if n_in != 1 or n_out != 1:
            raise GraphError(
                f"ppl('branch'): path {name!r} has {n_in} free inputs and {n_out} free outputs; each path needs exactly one of each."
            )
        if prefix_paths:
            path.update_ids(prefix=f"{name}_")
    branch = PipeOpBranch(options, id=f"{prefix_branchops}branch")
    unbranch = PipeOpUnbranch(options if isinstance(options, list) else len(paths), id=f"{prefix_branchops}unbranch")
    return branch >> gunion(paths, clone=False) >> unbranch
