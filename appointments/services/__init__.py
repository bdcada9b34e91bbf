"""What the site does with appointment requests, one module per area:

- requests: a patient's request, the office's work on it, and its appointments;
- outbox: the emails, queued, sent at most once, retried and sent again;
- retention: the patient's details removed once the retention period is over;
- open_times: the times a patient may book, from the clinic sessions;
- online_booking: a patient booking one of them on the form.

Each service is named `<entity>_<action>` and takes keyword arguments. Callers import
this package (`from appointments import services`), not its modules.
"""

from .online_booking import (
    appointment_request_book_online,
    appointment_request_book_preferred_time,
)
from .open_times import OpenTime, open_times_find
from .outbox import (
    notification_next_try,
    notification_queue,
    notification_queue_on_commit,
    notification_requeue_waiting,
    notification_retry_delay,
    notification_send,
    notification_send_again,
)
from .requests import (
    TIME_OF_DAY_ERRORS,
    appointment_ask_for_another_time,
    appointment_book,
    appointment_cancel_by_patient,
    appointment_queue_due_reminders,
    appointment_request_assign,
    appointment_request_change_status,
    appointment_request_create,
    appointment_request_exists,
    appointment_request_list_assignees,
    appointment_request_mark_contacted,
    appointment_request_mark_urgent,
    appointment_request_update,
    appointment_validate_time,
    office_note_create,
)
from .retention import appointment_request_anonymise_past_retention

__all__ = [
    "TIME_OF_DAY_ERRORS",
    "OpenTime",
    "appointment_ask_for_another_time",
    "appointment_book",
    "appointment_cancel_by_patient",
    "appointment_queue_due_reminders",
    "appointment_request_anonymise_past_retention",
    "appointment_request_assign",
    "appointment_request_book_online",
    "appointment_request_book_preferred_time",
    "appointment_request_change_status",
    "appointment_request_create",
    "appointment_request_exists",
    "appointment_request_list_assignees",
    "appointment_request_mark_contacted",
    "appointment_request_mark_urgent",
    "appointment_request_update",
    "appointment_validate_time",
    "notification_next_try",
    "notification_queue",
    "notification_queue_on_commit",
    "notification_requeue_waiting",
    "notification_retry_delay",
    "notification_send",
    "notification_send_again",
    "office_note_create",
    "open_times_find",
]
