"""Why the face model reads real photos as neutral: candidate fixes that keep the trained network.

    python -m training.face.transfer [--train-rows 7200] [--threads 1]

Every candidate is scored on PublicTest against both label sets and on JAFFE through the whole
pipeline (photo bytes -> MTCNN -> alignment -> candidate preprocessing -> classifier): the faces
are found and their landmarks taken once, then each candidate re-aligns or re-processes the crop.
Candidates: preprocessing that makes a photo crop look more like a 48 px FER2013 face, the crop's
framing, mixing the two heads, a bias against neutral, and product heads retrained on the frozen
network's features with de-neutralised, mixed or class-weighted targets (on `--train-rows` random
Training faces; 0 skips them). Selection data only: PrivateTest is never read here.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from emotions import EMOTIONS
from training.face import data, real_photos
from vision.align import FER_LANDMARKS, FER_SIZE, similarity
from vision.classifier import FaceEmotionClassifier
from vision.detect import FaceDetector
from vision.image import decode

NEUTRAL = EMOTIONS.index("neutral")
Crops = Callable[[np.ndarray], np.ndarray]


@dataclass
class Scored:
    """Log-probabilities of both heads on JAFFE and PublicTest, for one way of making the crops."""
    jaffe: tuple[np.ndarray, np.ndarray]
    public: tuple[np.ndarray, np.ndarray]


def downscaled(side: int) -> Crops:
    def crops(x: np.ndarray) -> np.ndarray:
        return np.stack([cv2.resize(cv2.resize(c, (side, side), interpolation=cv2.INTER_AREA), (FER_SIZE, FER_SIZE),
                                    interpolation=cv2.INTER_LINEAR) for c in x])
    return crops


def standardised(x: np.ndarray, mean: float = 129.0, std: float = 54.0) -> np.ndarray:
    """Each crop to PublicTest's mean grey level and mean per-face contrast."""
    f = x.astype(np.float32)
    f = (f - f.mean((1, 2), keepdims=True)) / (f.std((1, 2), keepdims=True) + 1e-3)
    out: np.ndarray = np.clip(f * std + mean, 0, 255).astype(np.uint8)
    return out


CLAHE = cv2.createCLAHE(2.0, (4, 4))
PREPROCESSING: dict[str, Crops] = {
    "none": lambda x: x,
    "histogram equalisation": lambda x: np.stack([cv2.equalizeHist(c) for c in x]),
    "CLAHE (clip 2, 4x4 tiles)": lambda x: np.stack([CLAHE.apply(c) for c in x]),
    "standardised to FER2013 grey/contrast": standardised,
    "down to 32 px and back": downscaled(32),
    "down to 24 px and back": downscaled(24),
    "gamma 0.8": lambda x: (255 * (x / 255.0) ** 0.8).astype(np.uint8),
    "Gaussian blur (3x3, sigma 0.8)": lambda x: np.stack([cv2.GaussianBlur(c, (3, 3), 0.8) for c in x]),
}


def find_faces(photos: real_photos.RealPhotos) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Grey pixels and the largest face's landmarks per photo, as FaceAnalyzer finds them."""
    detector, grays, landmarks = FaceDetector(), [], []
    for path in photos.paths:
        photo = decode(path.read_bytes(), max_side=1280)
        faces = detector.detect(photo.rgb)
        if not faces:
            raise SystemExit(f"no face in {path}: this script assumes MTCNN finds every JAFFE face")
        grays.append(cv2.cvtColor(photo.rgb, cv2.COLOR_RGB2GRAY))
        landmarks.append(faces[0].landmarks)
    return grays, landmarks


def aligned(grays: list[np.ndarray], landmarks: list[np.ndarray], zoom: float = 1.0, down: float = 0.0) -> np.ndarray:
    """vision.align with its landmark template zoomed about the centre and moved down by `down` px."""
    template = (FER_LANDMARKS - FER_SIZE / 2) * zoom + FER_SIZE / 2 + np.array([0.0, down])
    crops = []
    for gray, points in zip(grays, landmarks):
        matrix = similarity(np.asarray(points, dtype=np.float64), template)
        oversample = min(4, max(1, int(np.ceil(1 / np.hypot(matrix[0, 0], matrix[1, 0])))))
        big = cv2.warpAffine(gray, matrix * oversample, (FER_SIZE * oversample,) * 2, flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)
        crops.append(cv2.resize(big, (FER_SIZE, FER_SIZE), interpolation=cv2.INTER_AREA))
    return np.stack(crops)


class Network:
    """The shipped network as features + the two calibrated linear heads, so candidates can swap heads."""

    def __init__(self) -> None:
        product, benchmark = FaceEmotionClassifier(head="product"), FaceEmotionClassifier(head="benchmark")
        self.model = product.model
        self.temperatures = (product.temperature, benchmark.temperature)

    @torch.inference_mode()
    def features(self, crops: np.ndarray, mirror: bool = True) -> torch.Tensor:
        out = []
        for i in range(0, len(crops), 256):
            x = torch.from_numpy(np.ascontiguousarray(crops[i:i + 256])).unsqueeze(1).float().div_(255)
            f = self.model.embed(x)
            out.append((f + self.model.embed(torch.flip(x, dims=[3]))) / 2 if mirror else f)
        return torch.cat(out)

    @torch.inference_mode()
    def heads(self, features: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated log-probabilities of (product, benchmark); a linear head on the mirror-averaged
        features equals the classifier's mirror-averaged logits."""
        tp, tb = self.temperatures
        return (F.log_softmax(self.model.product(features) / tp, 1).numpy(),
                F.log_softmax(self.model.benchmark(features) / tb, 1).numpy())


def row(name: str, jaffe_logp: np.ndarray, public_logp: np.ndarray, jaffe: real_photos.RealPhotos,
        public: data.Split) -> str:
    metrics, _ = real_photos.score(np.exp(jaffe_logp), jaffe.labels)
    predicted, plus = public_logp.argmax(1), public.plus_label >= 0
    return (f"| {name} | {(predicted[plus] == public.plus_label[plus]).mean():.3f} | "
            f"{(predicted == public.fer_label).mean():.3f} | **{metrics['accuracy']:.3f}** | {metrics['macro_f1']:.3f} | "
            f"{metrics['neutral_rate']:.2f} | " + " ".join(f"{metrics['recall'][e]:.2f}" for e in EMOTIONS) + " |")


def retrained_head(network: Network, features: torch.Tensor, target: torch.Tensor, weight: torch.Tensor,
                   class_weight: torch.Tensor | None = None, decay: float = 1e-3) -> torch.nn.Linear:
    """A product head refitted (full batch, L-BFGS, from the shipped head) on frozen features."""
    features = features.clone()  # made under inference_mode, which autograd may not save
    head = torch.nn.Linear(features.shape[1], len(EMOTIONS))
    head.load_state_dict(network.model.product.state_dict())
    optimiser = torch.optim.LBFGS(head.parameters(), lr=0.5, max_iter=300, history_size=20,
                                  line_search_fn="strong_wolfe")
    scale = torch.ones(len(EMOTIONS)) if class_weight is None else class_weight

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = -(weight * (target * F.log_softmax(head(features), 1) * scale).sum(1)).sum() / weight.sum()
        loss = loss + decay * (head.weight ** 2).sum()
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    optimiser.step(closure)  # type: ignore[no-untyped-call]
    return head.eval()


def training_targets(arrays: dict[str, np.ndarray], rows: np.ndarray, neutral_share: float, ferplus_share: float
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """FER+ vote shares with neutral votes scaled by `neutral_share`, mixed with the FER2013 label."""
    train = data.split(arrays, data.TRAINING, for_training=True)
    votes = data.without_single_votes(arrays["ferplus_votes"][arrays["usage"] == data.TRAINING][rows]
                                      [:, data.FERPLUS_COLUMNS].astype(np.float32))
    votes[:, NEUTRAL] *= neutral_share
    total = votes.sum(1, keepdims=True)
    plus = np.where(total > 0, votes / np.maximum(total, 1e-6), 0)
    has_plus = train.plus_target[rows].sum(1) > 0
    fer = train.fer_label[rows]
    one_hot = np.zeros_like(plus)
    one_hot[fer >= 0, fer[fer >= 0]] = 1
    target = np.where(has_plus[:, None], ferplus_share * plus + (1 - ferplus_share) * one_hot, one_hot)
    return torch.from_numpy(target.astype(np.float32)), torch.from_numpy((has_plus | (fer >= 0)).astype(np.float32))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train-rows", type=int, default=7200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    arrays = data.load_arrays()
    public = data.split(arrays, data.PUBLIC_TEST)
    jaffe = real_photos.load_jaffe()
    grays, landmarks = find_faces(jaffe)
    network = Network()
    crops = aligned(grays, landmarks)
    print("| candidate | PublicTest FER+ | PublicTest FER2013 | JAFFE accuracy | JAFFE macro-F1 | JAFFE neutral rate "
          "| JAFFE recall " + " ".join(EMOTIONS) + " |\n" + "| --- " * 7 + "|", flush=True)

    def show(name: str, j: np.ndarray, p: np.ndarray) -> None:
        print(row(name, j, p, jaffe, public), flush=True)

    shipped = Scored(network.heads(network.features(crops)), network.heads(network.features(public.pixels)))
    show("shipped product head", shipped.jaffe[0], shipped.public[0])
    show("benchmark head", shipped.jaffe[1], shipped.public[1])
    for w in (0.1, 0.2, 0.3, 0.5):
        show(f"heads mixed, {w:g} benchmark", (1 - w) * shipped.jaffe[0] + w * shipped.jaffe[1],
             (1 - w) * shipped.public[0] + w * shipped.public[1])
    for bias in (0.25, 0.5, 0.75, 1.0, 1.5):
        shift = np.zeros(len(EMOTIONS))
        shift[NEUTRAL] = -bias
        show(f"product, neutral logit -{bias:g}", shipped.jaffe[0] + shift, shipped.public[0] + shift)
    for name, process in list(PREPROCESSING.items())[1:]:
        jp, jb = network.heads(network.features(process(crops)))
        pp, pb = network.heads(network.features(process(public.pixels)))
        show(f"product, {name}", jp, pp)
        show(f"benchmark, {name}", jb, pb)
    for zoom in (0.8, 0.9, 1.1, 1.2):
        for down in (-3.0, 0.0, 3.0):
            jp, jb = network.heads(network.features(aligned(grays, landmarks, zoom, down)))
            show(f"product, template zoom {zoom:g}, {down:+g} px", jp, shipped.public[0])
            show(f"benchmark, template zoom {zoom:g}, {down:+g} px", jb, shipped.public[1])
    if args.train_rows <= 0:
        return
    train = data.split(arrays, data.TRAINING, for_training=True)
    rows = np.sort(np.random.default_rng(0).permutation(len(train))[:args.train_rows])
    features = network.features(train.pixels[rows], mirror=False)
    jaffe_features, public_features = network.features(crops), network.features(public.pixels)
    fer = train.fer_label[rows]
    counts = np.bincount(fer[fer >= 0], minlength=len(EMOTIONS))
    balanced = torch.from_numpy((counts / counts.mean()) ** -0.5).float()
    for neutral_share, ferplus_share, weights in ((1.0, 1.0, None), (0.5, 1.0, None), (0.25, 1.0, None),
                                                  (1.0, 0.5, None), (0.5, 0.5, None), (0.5, 0.5, balanced),
                                                  (0.25, 0.0, balanced)):
        head = retrained_head(network, features, *training_targets(arrays, rows, neutral_share, ferplus_share),
                              class_weight=weights)
        with torch.inference_mode():
            j, p = F.log_softmax(head(jaffe_features), 1).numpy(), F.log_softmax(head(public_features), 1).numpy()
        show(f"product head refitted: neutral votes x{neutral_share:g}, {ferplus_share:g} FER+ + "
             f"{1 - ferplus_share:g} FER2013 label{', class weights' if weights is not None else ''}", j, p)


if __name__ == "__main__":
    main()
