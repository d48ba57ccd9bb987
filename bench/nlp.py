"""Speed and memory of the text model on CPU (make bench).

    python -m bench.nlp --threads 2

Messages are real chat-like comments: GoEmotions test texts of at most 64 tokens. Reports load
time, single-message latency (p50/p95 of ``analyze``), batched throughput (``analyze_many``),
the latency of one 4096-character message (Telegram's maximum), and resident memory.
"""
from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import torch

from nlp import DEFAULT_MODEL_DIR, TextAnalyzer
from nlp.analyzer import DTYPES
from training.text import data

SHORT_TOKENS = 64
HINDI = ["मुझे तुम पर बहुत गुस्सा आ रहा है", "आज मैं बहुत खुश हूँ, मुझे नौकरी मिल गई!", "मेरा दिन अच्छा नहीं था",
         "क्या तुम कल आ रहे हो?", "मैं बहुत थक गया हूँ और उदास हूँ"]
TARGETS = "targets: p50 <= 15 ms per message, >= 300 messages/s batched, on 2 cores"


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return kib / 1024


def milliseconds(fn, repeats: int) -> np.ndarray:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the shipped one)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (the target is 2 cores)")
    parser.add_argument("--messages", type=int, default=2000, help="messages for the batched throughput")
    parser.add_argument("--single", type=int, default=300, help="messages timed one at a time")
    parser.add_argument("--english-only", action="store_true", help="without the multilingual head")
    parser.add_argument("--dtype", choices=DTYPES, default="auto", help="the math's precision (auto: as the bot)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    start = time.perf_counter()
    analyzer = TextAnalyzer(args.model or DEFAULT_MODEL_DIR, dtype=DTYPES[args.dtype],
                            **({"multilingual_dir": None} if args.english_only else {}))
    load_s = time.perf_counter() - start

    texts = data.load("test").texts
    lengths = [len(encoding.ids) for encoding in analyzer.tokenizer.encode_batch(texts)]
    short = [t for t, n in zip(texts, lengths) if n <= SHORT_TOKENS]
    short_lengths = [n for n in lengths if n <= SHORT_TOKENS]
    batch = short[:args.messages]
    for text in short[:20]:  # warm-up: first calls allocate
        analyzer.analyze(text)

    single = iter(short[-args.single:])
    latency = milliseconds(lambda: analyzer.analyze(next(single)), args.single)
    start = time.perf_counter()
    analyzer.analyze_many(batch)
    throughput = len(batch) / (time.perf_counter() - start)
    long_text = " ".join(short)[:4096]
    long_ms = milliseconds(lambda: analyzer.analyze(long_text), 5)
    # With the previous message as context (the second segment), and a Hindi message (the multilingual head).
    pairs = iter(zip(short[-args.single:], short[-args.single - 1:]))
    context_ms = milliseconds(lambda: analyzer.analyze(*next(pairs)), args.single)
    hindi = iter(HINDI * (args.single // len(HINDI) + 1))
    hindi_ms = milliseconds(lambda: analyzer.analyze(next(hindi)), min(args.single, 100))

    result = {
        "threads": args.threads, "dtype": str(analyzer.dtype).removeprefix("torch."), "load_s": round(load_s, 2),
        "single_p50_ms": round(float(np.percentile(latency, 50)), 1),
        "single_p95_ms": round(float(np.percentile(latency, 95)), 1),
        "single_mean_tokens": round(float(np.mean(short_lengths[-args.single:])), 1),
        "batch_messages_per_s": round(throughput), "batch_size": len(batch),
        "long_4096_chars_p50_ms": round(float(np.median(long_ms)), 1),
        "with_context_p50_ms": round(float(np.percentile(context_ms, 50)), 1),
        "hindi_p50_ms": round(float(np.percentile(hindi_ms, 50)), 1), "multilingual_head": bool(analyzer.multilingual),
        "rss_mb": round(rss_mb()), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(f"bench.nlp ({TARGETS})")
    for key, value in result.items():
        print(f"  {key:24} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
