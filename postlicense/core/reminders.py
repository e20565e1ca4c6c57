"""The daily reminders of each user's to-do list (DESIGN "Deadlines": in-app always; e-mail or SMS through a
pluggable sender).

settings.REMINDER_SENDERS lists dotted paths of senders; each is called as sender(user, notification) after the
in-app Notification is stored, once per user and day (the unique row makes a second run the same day send nothing).
EmailSender is the shipped e-mail sender (Django's e-mail backend; users without an address are skipped). An SMS
gateway is one more class with the same call.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from .models import Notification, User
from .todo import todo_for
from .workdays import shared_reads


class EmailSender:
    def __call__(self, user, notification):
        if user.email:
            send_mail(notification.title, notification.body, None, [user.email], fail_silently=False)


def senders():
    return [import_string(path)() for path in settings.REMINDER_SENDERS]


def digest(todo, days_ahead):
    """The reminder's text: overdue and soon-due items, each with its deadline and basis; None if nothing is due."""
    due = todo.due_within(days_ahead)
    if not due:
        return None
    overdue = sum(item.overdue(todo.today) for item, _ in due)
    title = f"待办提醒：{len(due)} 项临近期限" + (f"，其中 {overdue} 项已逾期" if overdue else "")
    lines = [
        f"{'【已逾期】' if item.overdue(todo.today) else ''}{group.label}：{item.title}"
        f"（{item.note or f'期限 {item.due:%Y-%m-%d}'}）"
        for item, group in due
    ]
    return title, "\n".join(lines)


def send_reminders(today=None, days_ahead=None, users=None):
    """One reminder per user with something overdue or due within `days_ahead` days; returns how many were sent."""
    days_ahead = settings.REMINDER_DAYS_AHEAD if days_ahead is None else days_ahead
    chosen = senders()
    sent = 0
    users = users if users is not None else User.objects.filter(is_active=True).select_related("org_unit__region")
    with shared_reads():  # the holiday calendar and deadline settings once for the run, not once per user
        for user in users:
            sent += _remind(user, todo_for(user, today), days_ahead, chosen)
    return sent


def _remind(user, todo, days_ahead, chosen):
    """Store and send the user's reminder; 1 if one was sent, 0 if nothing is due or it was sent today already."""
    text = digest(todo, days_ahead)
    if text is None:
        return 0
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, day=todo.today, title=text[0][:200], body=text[1], url="/core/todo/"
            )
    except IntegrityError:
        return 0  # already reminded today
    for sender in chosen:
        sender(user, notification)
    return 1
