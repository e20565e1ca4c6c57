from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from postlicense.randomcheck.draw import STRATA, STRATUM_LABELS, draw, join_contributions, read_candidates_csv


class Command(BaseCommand):
    help = (
        "复核双随机抽取结果。`verify-draw 任务编号` 用数据库中冻结的候选名单重新抽取并与记录比对；"
        "`verify-draw --contribution 贡献值1 --contribution 贡献值2 --candidates 候选名单.csv --ratios 10,20,30,50` "
        "（或用 --seed 给出连接后的种子）不需要数据库，按公示的贡献值和下载的候选名单重新计算抽中名单。"
    )
    requires_system_checks = []  # the file mode must work on a machine with no (or an empty) database

    def add_arguments(self, parser):
        parser.add_argument("task_id", nargs="?", type=int, help="抽查任务编号")
        parser.add_argument("--seed", help="公示的随机种子（各贡献值按顺序以“|”连接后的结果）")
        parser.add_argument(
            "--contribution",
            action="append",
            default=[],
            dest="contributions",
            help="公示的随机种子贡献值，按公示的顺序逐个给出（至少2个）；与 --seed 二选一",
        )
        parser.add_argument("--candidates", help="从公示页面下载的候选名单 CSV")
        parser.add_argument(
            "--ratios", default="10,20,30,50", help="低,中,中高,高 风险的抽取比例（%%），默认 10,20,30,50"
        )
        parser.add_argument("--digest", help="公示的候选名单摘要；给出时同时核对")

    def handle(
        self, *args, task_id=None, seed=None, contributions=(), candidates=None, ratios=None, digest=None, **options
    ):
        if task_id is not None:
            if seed or contributions or candidates:
                raise CommandError("任务编号与 --seed/--contribution/--candidates 只能二选一。")
            return self.verify_task(task_id)
        if seed and contributions:
            raise CommandError("--seed 与 --contribution 只能二选一。")
        if contributions:
            try:
                seed = join_contributions(contributions)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        if not seed or not candidates:
            raise CommandError("请给出任务编号，或同时给出 --candidates 和随机种子（--contribution 或 --seed）。")
        parts = [part.strip() for part in ratios.split(",")]
        if len(parts) != len(STRATA):
            raise CommandError("--ratios 应为4个以逗号分隔的比例：低,中,中高,高风险，例如 10,20,30,50")
        try:
            with open(candidates, "rb") as fp:
                rows = read_candidates_csv(fp)
            result = draw(seed, rows, dict(zip(STRATA, parts)))
        except OSError as exc:
            raise CommandError(f"无法读取候选名单文件：{exc}") from None
        except (ValueError, TypeError) as exc:
            raise CommandError(str(exc)) from None
        self.print_result(result)
        if digest and digest.strip().lower() != result.candidates_digest:
            raise CommandError(f"候选名单摘要不符：公示为 {digest}，文件为 {result.candidates_digest}")

    def verify_task(self, task_id):
        from postlicense.randomcheck.models import Task
        from postlicense.randomcheck.services import verify_task_draw

        task = Task.objects.filter(pk=task_id).first()
        if task is None:
            raise CommandError(f"未找到抽查任务 {task_id}。")
        if not task.seed:
            raise CommandError(f"抽查任务 {task_id} 尚未抽取企业。")
        result, problems = verify_task_draw(task)
        if task.frozen_at:
            self.stdout.write(f"候选名单冻结时间：{timezone.localtime(task.frozen_at):%Y-%m-%d %H:%M:%S}")
        for c in task.contributions.order_by("position"):
            self.stdout.write(
                f"贡献值{c.position}：{c.value}（{c.contributor}，{c.contributor_unit}，"
                f"{timezone.localtime(c.entered_at):%Y-%m-%d %H:%M:%S} 录入）"
            )
        self.print_result(result)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError("复核不一致：记录的抽取结果与重新计算的结果不同。")
        self.stdout.write(self.style.SUCCESS("复核一致：候选名单摘要和抽中名单与记录相同。"))

    def print_result(self, result):
        self.stdout.write(f"随机种子：{result.seed}")
        self.stdout.write(f"候选名单摘要（SHA-256）：{result.candidates_digest}")
        for stratum in result.strata:
            self.stdout.write(
                f"{STRATUM_LABELS[stratum.stratum]}（计算用代码 {stratum.stratum}）：比例 {stratum.ratio}%，"
                f"n = {stratum.n}，k = {stratum.k}"
            )
            for row in stratum.drawn:
                self.stdout.write(f"  {row.credit_code}  {row.rank}")
