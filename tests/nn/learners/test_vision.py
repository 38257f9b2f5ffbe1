"""Vision learners: the registry of torchvision classifiers, heads, pretrained weights, training."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
import torchvision

import jupytorch as jt
from jupytorch import lrn, msr, po, t_clbk
from jupytorch.nn._register import VISION_MODELS
from jupytorch.nn.learners.vision import (
    AuxLoss,
    InputNormalize,
    replace_head,
    vision_network,
)
from jupytorch.nn.learners.weights import WeightsNotFoundError, weights_path

from .conftest import save_fake_weights, write_image_folder


def test_static_list_is_torchvisions_registry():
    assert sorted(VISION_MODELS) == sorted(torchvision.models.list_models(module=torchvision.models))


def test_every_id_is_listed_and_registration_imports_no_torchvision():
    listed = set(jt.lrns()["key"])
    assert {f"classif.{name}" for name in VISION_MODELS} <= listed
    code = ("import sys, jupytorch as jt; jt.lrns(); "
            "assert 'torchvision' not in sys.modules and 'torch' not in sys.modules, 'heavy import'")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture
def meta_regnet(monkeypatch):
    """regnet computes its block widths with tensors; compute them on the CPU while building on meta."""
    from torchvision.models.regnet import BlockParams

    original = BlockParams.from_init_params

    def on_cpu(*args, **kwargs):
        with torch.device("cpu"):
            return original(*args, **kwargs)

    monkeypatch.setattr(BlockParams, "from_init_params", on_cpu)


@pytest.mark.parametrize("name", VISION_MODELS)
def test_each_network_gets_a_head_that_fits(name, meta_regnet):
    n_out = 1 if name.startswith("resnet") else 5  # binary (one logit) or five classes
    with torch.device("meta"):  # no memory, no compute: even vit_h_14 builds in a fraction of a second
        network = vision_network(name, n_out)
        network.eval()
        out = network(torch.zeros(1, 3, 224, 224))
    assert out.shape == (1, n_out)
    linear_or_conv = [m for m in network.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
    assert not any(getattr(m, "out_features", getattr(m, "out_channels", 0)) == 1000 for m in linear_or_conv)


def test_aux_heads_are_replaced_and_can_be_dropped():
    with torch.device("meta"):
        google = vision_network("googlenet", 3)
        inception = vision_network("inception_v3", 3)
        plain = vision_network("googlenet", 3, aux_loss_weight=0)
    assert google.aux1.fc2.out_features == google.aux2.fc2.out_features == 3
    assert inception.AuxLogits.fc.out_features == 3
    assert plain.aux1 is None and not plain.aux_logits


def test_replace_head_names_an_unknown_family():
    with pytest.raises(Exception, match="no head rule for model 'sequential'"):
        replace_head(torch.nn.Sequential(torch.nn.Linear(2, 2)), 3)


def test_aux_loss_weights_auxiliary_outputs():
    loss = AuxLoss(torch.nn.CrossEntropyLoss(), 0.3)
    y = torch.tensor([0, 1])
    main, aux1, aux2 = torch.randn(2, 2), torch.randn(2, 2), torch.randn(2, 2)
    base = torch.nn.CrossEntropyLoss()
    expected = base(main, y) + 0.3 * (base(aux1, y) + base(aux2, y))
    torch.testing.assert_close(loss((main, aux1, aux2), y), expected)
    torch.testing.assert_close(loss(main, y), base(main, y))


def test_resnet18_trains_and_predicts_on_an_image_folder(image_folder):
    task = jt.image_folder_task(image_folder)
    learner = lrn("classif.resnet18", pretrained=False, epochs=2, batch_size=3, device="cpu", seed=1,
                  measures_valid=msr("classif.acc"), callbacks=t_clbk("history"), predict_type="prob")
    jt.set_validate(learner, 0.25)
    learner.train(task)
    assert learner.network.fc.out_features == 1
    history = learner.model.callbacks["history"]
    assert history["epoch"].tolist() == [1, 2] and "valid.classif.acc" in history
    prediction = learner.predict(task)
    assert prediction.prob.shape == (12, 2)
    again = pickle.loads(pickle.dumps(learner))
    assert (again.predict(task).prob.to_numpy() == prediction.prob.to_numpy()).all()


def test_a_small_vit_trains_at_the_task_image_size(image_folder):
    task = po("trafo_resize", size=(32, 32)).train([jt.image_folder_task(image_folder)])[0]
    learner = lrn("classif.vit_b_32", pretrained=False, epochs=1, batch_size=6, device="cpu", seed=1)
    learner.train(task)
    assert learner.network.image_size == 32 and learner.network.heads.head.out_features == 1
    assert len(learner.predict(task).response) == 12


def test_googlenet_trains_with_its_auxiliary_losses(image_folder):
    task = po("trafo_resize", size=(32, 32)).train([jt.image_folder_task(image_folder, id="three")])[0]
    learner = lrn("classif.googlenet", pretrained=False, epochs=1, batch_size=6, device="cpu", seed=1,
                  aux_loss_weight=0.5, measures_train=msr("classif.acc"), callbacks=t_clbk("history"))
    learner.train(task)
    assert isinstance(learner.model.loss_fn, AuxLoss) and learner.model.loss_fn.weight == 0.5
    assert "train.classif.acc" in learner.model.callbacks["history"]


def test_the_input_must_be_rgb_images():
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(torch.rand(4, 1, 8, 8)), "y": ["a", "b"] * 2})
    task = jt.as_task_classif(frame, target="y")
    with pytest.raises(Exception, match=r"RGB images \(None, 3, H, W\)"):
        lrn("classif.resnet18", pretrained=False, epochs=1, batch_size=2).train(task)


def test_pretrained_is_required(image_folder):
    with pytest.raises(Exception, match="pretrained"):
        lrn("classif.resnet18", epochs=1, batch_size=2).train(jt.image_folder_task(image_folder))


def test_a_vit_from_scratch_needs_square_images_of_whole_patches(image_folder):
    learner = lrn("classif.vit_b_16", pretrained=False, epochs=1, batch_size=4)
    with pytest.raises(Exception, match=r"multiple of its patch size 16, got 24x20"):
        learner.train(jt.image_folder_task(image_folder))


def test_pretrained_weights_come_from_the_hub_cache_and_images_are_normalized(image_folder, hub_cache):
    state = save_fake_weights("resnet18")
    assert weights_path(torchvision.models.ResNet18_Weights.DEFAULT).parent == hub_cache / "hub" / "checkpoints"
    task = jt.image_folder_task(image_folder)
    learner = lrn("classif.resnet18", pretrained=True, epochs=1, batch_size=4, device="cpu", seed=1,
                  callbacks=t_clbk("unfreeze", starting_weights=jt.selector_name(["fc.weight", "fc.bias"]),
                                   unfreeze=[{"epoch": 2, "weights": jt.selector_all()}]))
    learner.train(task)
    network = learner.network
    # frozen in epoch 1: every weight but the new head is exactly the cached one
    assert torch.equal(network.conv1.weight, state["conv1.weight"])
    assert torch.equal(network.layer4[1].conv2.weight, state["layer4.1.conv2.weight"])
    assert network.fc.out_features == 1
    hooks = [h for h in network._forward_pre_hooks.values() if isinstance(h, InputNormalize)]
    assert hooks and hooks[0].mean == pytest.approx([0.485, 0.456, 0.406])
    # prediction normalizes too: the network's output equals the bare network's on normalized input
    x = torch.rand(2, 3, 24, 20)
    network.eval()
    with torch.no_grad():
        bare = vision_network("resnet18", 1, pretrained=True)
        bare._forward_pre_hooks.clear()
        bare.load_state_dict(network.state_dict())
        bare.eval()
        mean, std = torch.tensor(hooks[0].mean).view(1, 3, 1, 1), torch.tensor(hooks[0].std).view(1, 3, 1, 1)
        torch.testing.assert_close(network(x), bare((x - mean) / std))
    plain = lrn("classif.resnet18", pretrained=True, normalize=False, epochs=0, batch_size=4, device="cpu").train(task)
    assert not plain.network._forward_pre_hooks


def test_saved_pretrained_learner_loads_without_the_weights_file(image_folder, hub_cache, tmp_path):
    save_fake_weights("resnet18")
    task = jt.image_folder_task(image_folder)
    learner = lrn("classif.resnet18", pretrained=True, epochs=1, batch_size=4, device="cpu", seed=1).train(task)
    learner.save(tmp_path / "resnet.jt")
    weights_path(torchvision.models.ResNet18_Weights.DEFAULT).unlink()
    loaded = jt.load(tmp_path / "resnet.jt")
    assert (loaded.predict(task).response == learner.predict(task).response).all()


def test_missing_weights_say_which_file_to_put_where(image_folder, hub_cache):
    task = jt.image_folder_task(image_folder)
    learner = lrn("classif.resnet18", pretrained=True, epochs=1, batch_size=4, device="cpu")
    with pytest.raises(WeightsNotFoundError) as info:
        learner.train(task)
    message = str(info.value)
    expected = hub_cache / "hub" / "checkpoints" / "resnet18-f37072fd.pth"
    assert str(expected) in message and "https://download.pytorch.org/models/resnet18-f37072fd.pth" in message
    assert "pretrained=False" in message


def test_pretrained_vit_needs_its_image_size(image_folder, hub_cache):
    task = jt.image_folder_task(image_folder)
    learner = lrn("classif.vit_b_16", pretrained=True, epochs=1, batch_size=4, device="cpu")
    with pytest.raises(Exception, match=r"exactly 224x224, got 24x20.*trafo_resize"):
        learner.train(task)


def test_unknown_weights_name_has_a_did_you_mean(image_folder):
    task = jt.image_folder_task(image_folder)
    learner = lrn("classif.resnet50", pretrained=True, weights="IMAGENET1K_V3", epochs=1, batch_size=4)
    with pytest.raises(Exception, match="IMAGENET1K_V"):
        learner.train(task)


class _JpegDataset(torch.utils.data.Dataset):
    """The seed paper's dogs-vs-cats dataset: one JPEG per item, decoded in __getitem__."""

    def __init__(self, paths):
        self.paths = paths

    def __getitem__(self, i):
        from PIL import Image

        with Image.open(self.paths[i]) as image:
            pixels = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float32) / 255)
        return {"image": pixels.permute(2, 0, 1).contiguous()}

    def __len__(self):
        return len(self.paths)


def test_seed_paper_dogs_vs_cats(tmp_path, hub_cache):
    save_fake_weights("resnet18")
    folder = write_image_folder(tmp_path / "train", n=5, size=(40, 36))
    paths = sorted(folder.glob("*/*.jpg"))
    labels = ["dog" if p.name.startswith("dog.") else "cat" for p in paths]

    lt = jt.as_lazy_tensor(_JpegDataset(paths), {"image": None})
    df = pd.DataFrame({"image": lt, "class": labels})
    task = jt.as_task_classif(df, target="class", id="dogs_vs_cats")

    unfreezer = t_clbk("unfreeze", starting_weights=jt.selector_name(["fc.weight", "fc.bias"]),
                       unfreeze=[{"epoch": 2, "weights": jt.selector_all()}])
    resnet = lrn("classif.resnet18", pretrained=True, epochs=2, batch_size=4, opt__lr=1e-4, device="cpu",
                 measures_valid=msr("classif.acc"), callbacks=[unfreezer, t_clbk("history")])
    learner = jt.as_learner(po("augment_random_vertical_flip", p=0.5) >> po("trafo_resize", size=(224, 224)) >> resnet)
    jt.set_validate(learner, 1 / 3)
    learner.train(task)

    history = learner.model["classif.resnet18"].model.callbacks["history"]
    assert history["epoch"].tolist() == [1, 2]
    assert history["valid.classif.acc"].between(0, 1).all()
    network = learner.model["classif.resnet18"].model.network
    assert all(p.requires_grad for p in network.parameters())  # unfrozen in epoch 2
