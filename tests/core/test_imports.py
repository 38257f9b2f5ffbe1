"""Import paths: one resolver for jupytorch's own paths, a checked one for paths read from files."""

from __future__ import annotations

import collections
import json

import pytest

from jupytorch.core.imports import UnsafePathError, import_string, import_trusted_path, in_packages, object_path


def test_import_string_walks_qualified_names():
    assert import_string("json:dumps") is json.dumps
    assert import_string("collections:OrderedDict.fromkeys") == collections.OrderedDict.fromkeys
    with pytest.raises(ValueError, match="must look like 'package.module:Name'"):
        import_string("json.dumps")


def test_object_path_round_trips():
    assert import_trusted_path(object_path(collections.Counter), roots=("collections",)) is collections.Counter


@pytest.mark.parametrize("path, message", [
    ("os:system", "only code defined in collections"),                     # outside the packages
    ("collections:abc.Mapping", "it is not defined there"),                # walks through a re-exported module
    ("collections:_collections_abc", "cannot import|not defined there"),   # a module, not a class
    ("collections:namedtuple", "it is not a class"),                       # a function where a class is wanted
    ("collections:OrderedDict; import os", "must be a string 'package.module:QualifiedName'"),
    (42, "must be a string"),
])
def test_refusals(path, message):
    with pytest.raises(UnsafePathError, match=message):
        import_trusted_path(path, roots=("collections",))


def test_base_class_is_checked_even_when_trusted():
    with pytest.raises(UnsafePathError, match="not a subclass of builtins.dict"):
        import_trusted_path("collections:deque", roots=("collections",), base=dict, trusted=True)
    assert import_trusted_path("collections:OrderedDict", roots=(), base=dict, trusted=True) is collections.OrderedDict


def test_functions_only_when_asked():
    assert import_trusted_path("collections:namedtuple", roots=("collections",), function=True) is collections.namedtuple


def test_main_module_names_the_fix():
    with pytest.raises(UnsafePathError, match=r"__main__:NoSuchNet .*importable module"):
        import_trusted_path("__main__:NoSuchNet", trusted=True)


def test_in_packages():
    assert in_packages("torch.nn.modules", ("torch",)) and not in_packages("torchvision", ("torch",))


def test_only_marked_jupytorch_functions_load_as_values():
    from jupytorch.core.imports import UnsafePathError, import_trusted_path

    ok = import_trusted_path("jupytorch.nn.learners.ft_transformer:ft_param_groups", roots=("jupytorch",),
                             role="parameter value")
    assert ok.__name__ == "ft_param_groups"
    with pytest.raises(UnsafePathError, match="it is not a class"):
        import_trusted_path("jupytorch.core.imports:import_string", roots=("jupytorch",), role="parameter value")
