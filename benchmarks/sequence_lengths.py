"""The sentiment exercise's comparison table: RNN / LSTM / Transformer on short and long reviews.

Trains the reference models (solutions/sentiment.py: ``make_models``, ``train_sentiment``, ``accuracy``) on the
generated IMDB-layout corpus (autograder/datasets.py ``reviews``), short reviews (0-200 words, each ending on its
verdict) and long ones (200-400 words, whose last cue words are followed by ``LONG_TAIL`` neutral words), for a
few seeds, one thread, and prints per model and length: the test accuracy per seed and its mean, the parameter
count and the CPU seconds of training. What the corpus is built to show: the Elman RNN loses its accuracy on
long reviews, where the LSTM and the Transformer keep it.

    .venv/bin/python benchmarks/sequence_lengths.py [--seeds 0 1 2] [--train 1200] [--test 400] [--epochs 5]

Never a pass/fail test; a few minutes of CPU with the defaults.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_reference():
    spec = importlib.util.spec_from_file_location("sentiment_reference", ROOT / "solutions" / "sentiment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--train", type=int, default=1200, help="training reviews per run")
    parser.add_argument("--test", type=int, default=400, help="test reviews per run")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=None, help="default: train_sentiment's")
    parser.add_argument("--batch-size", type=int, default=None, help="default: train_sentiment's")
    args = parser.parse_args()

    import torch

    from autograder import datasets

    torch.set_num_threads(1)
    ref = load_reference()
    options = {k: v for k, v in (("lr", args.lr), ("batch_size", args.batch_size)) if v is not None}
    lengths = {"short": (0, 200), "long": (200, 400)}
    acc: dict = {}
    params: dict = {}
    cpu: dict = {}
    print(f"corpus: short = 0-{datasets.SHORT_WORDS} words ending on the verdict; long = 200-400 words, last cue "
          f"followed by {datasets.LONG_TAIL[0]}-{datasets.LONG_TAIL[1]} neutral words; {args.train} training / "
          f"{args.test} test reviews, {args.epochs} epochs, seeds {args.seeds}", flush=True)
    for seed in args.seeds:
        for name_len, (lo, hi) in lengths.items():
            train_rows = datasets.reviews(args.train, lo, hi, seed=1000 + seed)
            test_rows = datasets.reviews(args.test, lo, hi, seed=2000 + seed)
            vocab = ref.build_vocab([r for r, _ in train_rows])
            x, n = ref.encode([r for r, _ in train_rows], vocab)
            y = torch.tensor([int(s == "positive") for _, s in train_rows])
            tx, tn = ref.encode([r for r, _ in test_rows], vocab)
            ty = torch.tensor([int(s == "positive") for _, s in test_rows])
            torch.manual_seed(seed)
            for model_name, model in ref.make_models(len(vocab) + 2).items():
                start = time.process_time()
                ref.train_sentiment(model, x, n, y, epochs=args.epochs, seed=seed, **options)
                cpu.setdefault((model_name, name_len), []).append(time.process_time() - start)
                acc.setdefault((model_name, name_len), []).append(ref.accuracy(model, tx, tn, ty))
                params[model_name, name_len] = ref.count_parameters(model)
                print(f"  seed {seed} {name_len:5s} {model_name:11s} test accuracy {acc[model_name, name_len][-1]:.3f}"
                      f" ({cpu[model_name, name_len][-1]:.1f} s CPU)", flush=True)

    def mean(values):
        return sum(values) / len(values)

    print("\n| model | parameters (short / long) | short: test accuracy (per seed) | long: test accuracy (per seed) "
          "| CPU s per run (short / long) |")
    print("|---|---|---|---|---|")
    for model_name in ("RNN", "LSTM", "Transformer"):
        cells = []
        for name_len in lengths:
            values = acc[model_name, name_len]
            cells.append(f"{mean(values):.3f} ({', '.join(f'{v:.2f}' for v in values)})")
        print(f"| {model_name} | {params[model_name, 'short']} / {params[model_name, 'long']} | {cells[0]} | "
              f"{cells[1]} | {mean(cpu[model_name, 'short']):.1f} / {mean(cpu[model_name, 'long']):.1f} |")


if __name__ == "__main__":
    main()
