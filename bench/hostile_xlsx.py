"""How fast a hostile .xlsx is refused and how much memory the process needs for it (issue 11 item 1).

    .venv/bin/python bench/hostile_xlsx.py [--large 100000]

Each file is opened in a fresh process (peak RSS, resource.getrusage, only grows) through registry.xlsx.open_rows,
the path every import takes: the crash file (one cell at XFD1048576: the reader asked for 512 GiB and aborted
the process before the bounds), one cell at AZ1048576 (1.8 GB before), and the floor, a normal 1-row file.
--large N adds an N-row file in the enterprise layout (the check's cost on a legitimate import).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(kind, rows, path):
    from openpyxl import Workbook

    from postlicense.registry.importing import COLUMNS, TEMPLATE_EXAMPLE

    workbook = Workbook(write_only=kind == "large")
    sheet = workbook.active if kind != "large" else workbook.create_sheet()
    sheet.append([c.header for c in COLUMNS])
    if kind == "crash":
        sheet["XFD1048576"] = 1
    elif kind == "az":
        sheet["AZ1048576"] = 1
    else:
        for _ in range(rows):
            sheet.append(TEMPLATE_EXAMPLE[0])
    workbook.save(path)


def measure(kind, rows):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postlicense.settings")
    django.setup()
    from postlicense.registry import importing
    from postlicense.registry.xlsx import SheetError, open_rows

    path = Path(tempfile.mkdtemp(prefix="bench-hostile-")) / f"{kind}.xlsx"
    build(kind, rows, path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        with path.open("rb") as fh:
            total, cells = open_rows(fh, importing.COLUMNS)
            read = sum(1 for _ in cells)
        outcome = f"读取 {read:,} 行"
    except SheetError as exc:
        outcome = f"拒绝：{exc}"
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "ms": elapsed * 1000,
                "peak_mb": peak / 1024,
                "before_mb": before / 1024,
                "size": path.stat().st_size,
                "outcome": outcome,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", choices=["floor", "crash", "az", "large"])
    parser.add_argument("--large", type=int, default=0)
    args = parser.parse_args()
    if args.one:
        return measure(args.one, 1 if args.one == "floor" else args.large)
    cases = [("floor", "正常 1 行文件（基线）"), ("crash", "XFD1048576 崩溃文件"), ("az", "AZ1048576 文件")]
    if args.large:
        cases.append(("large", f"正常 {args.large:,} 行文件"))
    print(f"{'文件':<22}{'大小':>12}{'用时 ms':>10}{'打开前 MB':>11}{'峰值 MB':>9}  结果")
    for kind, label in cases:
        command = [sys.executable, __file__, "--one", kind, "--large", str(args.large)]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(
            f"{label:<22}{result['size']:>12,}{result['ms']:>10.1f}{result['before_mb']:>11.1f}{result['peak_mb']:>9.1f}"
            f"  {result['outcome'][:48]}"
        )


if __name__ == "__main__":
    main()
