"""What the site does with appointment requests, one module per area:

- requests: a patient's request, the office's work on it, and its appointments;
- outbox: the emails, queued, sent at most once, retried and sent again;
- retention: the patient's details removed once the retention period is over;
- open_times: the times a patient may book, from the clinic sessions;
- office_calendar: the office's diaries of a day or a week;
- calendar_feeds: the surgeons' private calendar feeds;
- changes: the patient's own move to another open time, with their link;
- waitlist: earlier times offered to the booked patients who asked for one;
- online_booking: a patient booking an open time on the form.

Each service is named `<entity>_<action>` and takes keyword arguments. Callers import
this package (`from appointments import services`), not its modules.
"""

from .calendar_feeds import calendar_feed_create, calendar_feed_revoke
from .changes import appointment_move_by_patient
from .office_calendar import appointment_request_list_urgent_waiting, office_calendar_find
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
from .waitlist import (
    waitlist_join,
    waitlist_leave,
    waitlist_move_on,
    waitlist_offer_accept,
    waitlist_offer_time,
    waitlist_time_freed,
)

__all__ = [
    "TIME_OF_DAY_ERRORS",
    "OpenTime",
    "appointment_ask_for_another_time",
    "appointment_book",
    "appointment_cancel_by_patient",
    "appointment_move_by_patient",
    "appointment_queue_due_reminders",
    "appointment_request_anonymise_past_retention",
    "appointment_request_assign",
    "appointment_request_book_online",
    "appointment_request_book_preferred_time",
    "appointment_request_change_status",
    "appointment_request_create",
    "appointment_request_exists",
    "appointment_request_list_assignees",
    "appointment_request_list_urgent_waiting",
    "appointment_request_mark_contacted",
    "appointment_request_mark_urgent",
    "appointment_request_update",
    "appointment_validate_time",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "notification_next_try",
    "notification_queue",
    "notification_queue_on_commit",
    "notification_requeue_waiting",
    "notification_retry_delay",
    "notification_send",
    "notification_send_again",
    "office_calendar_find",
    "office_note_create",
    "open_times_find",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_move_on",
    "waitlist_offer_accept",
    "waitlist_offer_time",
    "waitlist_time_freed",
]
