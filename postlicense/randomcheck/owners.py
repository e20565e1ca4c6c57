"""Tasks another app drew with this app's draw and runs on its own page (planning's city re-checks and cross-audit
visits). The draw, its seed contributions and the public verification stay here; who manages the task and whose
inspectors may be put on it are the owner's (002 第十九条: the city's own; 000 附件1: the group's), so this app's
own match and dispatch steps are refused for them and its pages send the user to the owner's page.

An app answers through the AppConfig hook `draw_task_owners(task_ids) -> {task_id: TaskOwner}`."""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class TaskOwner:
    label: str  # what the task is, in Chinese: 市局复查, 督查互查
    url: str  # the owner's page, where inspectors are matched and records dispatched
    manager_unit_id: int  # the unit whose staff manage the task (the city; the campaign's organiser)
    inspector_unit_ids: frozenset  # the units whose inspectors may inspect its enterprises

    def can_manage(self, user) -> bool:
        return user.is_superuser or (user.is_bureau_staff and user.org_unit_id == self.manager_unit_id)

    @property
    def own_steps_refused(self) -> str:
        return f"该任务属于{self.label}，检查人员须在{self.label}页面匹配并派发。"


def task_owners(task_ids) -> dict:
    task_ids = list(task_ids)
    owners = {}
    if not task_ids:
        return owners
    for config in apps.get_app_configs():
        hook = getattr(config, "draw_task_owners", None)
        if hook:
            owners.update(hook(task_ids))
    return owners


def task_owner(task) -> TaskOwner | None:
    return task_owners([task.pk]).get(task.pk)
