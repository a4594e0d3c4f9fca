"""Who receives which event, and what a receiver may learn about a learner."""

import pytest
from microcred_notifier.domain.notifications import EventType, Notification, payload_for
from microcred_notifier.domain.subscriptions import (
    Filters,
    Subscriber,
    SubscriberKind,
    Subscription,
    learner_visible_to,
)

from tests.unit.notifier.fakes import T0


def issued(**overrides: object) -> Notification:
    fields: dict[str, object] = {
        "event_id": "evt-1",
        "event_type": EventType.CREDENTIAL_ISSUED,
        "occurred_at": T0,
        "provider_id": "uni-north",
        "achievement_id": "uni-north:robotics-101",
        "isced_f_code": "0714",
        "learner_ref": "sha256$abc",
        "data": {"credential_id": "c1", "learner_ref": "sha256$abc", "ects": 5.0},
    }
    fields.update(overrides)
    return Notification(**fields)  # type: ignore[arg-type]


def subscription(filters: Filters | None = None, **overrides: object) -> Subscription:
    fields: dict[str, object] = {
        "subscription_id": "sub-1",
        "subscriber_id": "sbr-1",
        "url": "https://sis.example.edu/hook",
        "event_types": frozenset({EventType.CREDENTIAL_ISSUED}),
        "filters": filters or Filters(),
    }
    fields.update(overrides)
    return Subscription(**fields)  # type: ignore[arg-type]


def test_an_unfiltered_subscription_wants_every_event_of_its_types() -> None:
    assert subscription().wants(issued())
    assert not subscription().wants(issued(event_type=EventType.CREDENTIAL_REVOKED))


@pytest.mark.parametrize(
    ("filters", "wanted"),
    [
        (Filters(provider_ids=frozenset({"uni-north"})), True),
        (Filters(provider_ids=frozenset({"vet-south"})), False),
        (Filters(achievement_ids=frozenset({"uni-north:robotics-101"})), True),
        (Filters(achievement_ids=frozenset({"uni-north:welding"})), False),
        (Filters(isced_f_codes=frozenset({"07"})), True),
        (Filters(isced_f_codes=frozenset({"0714"})), True),
        (Filters(isced_f_codes=frozenset({"06"})), False),
        (Filters(learner_refs=frozenset({"sha256$abc"})), True),
        (Filters(learner_refs=frozenset({"sha256$other"})), False),
        (
            Filters(provider_ids=frozenset({"uni-north"}), isced_f_codes=frozenset({"06"})),
            False,
        ),
    ],
)
def test_filters_select_by_provider_achievement_field_and_learner(
    filters: Filters, wanted: bool
) -> None:
    assert subscription(filters).wants(issued()) is wanted


def test_a_field_filter_skips_events_without_a_field() -> None:
    assert not subscription(Filters(isced_f_codes=frozenset({"07"}))).wants(
        issued(isced_f_code=None)
    )


def test_a_learner_filter_does_not_hide_course_events_which_concern_no_learner() -> None:
    course = issued(event_type=EventType.COURSE_CHANGED, learner_ref=None)
    wants_courses = subscription(
        Filters(learner_refs=frozenset({"sha256$abc"})),
        event_types=frozenset({EventType.COURSE_CHANGED}),
    )
    assert wants_courses.wants(course)


def test_a_paused_subscription_wants_nothing() -> None:
    assert not subscription().paused().wants(issued())


def test_the_awarding_provider_and_the_learners_own_university_see_the_learner() -> None:
    provider = Subscriber("sbr-1", "North", SubscriberKind.UNIVERSITY, frozenset({"uni-north"}))
    stranger = Subscriber("sbr-2", "Other", SubscriberKind.PARTNER, frozenset({"acme"}))
    own_learners = subscription(Filters(learner_refs=frozenset({"sha256$abc"})))
    assert learner_visible_to(provider, subscription(), issued())
    assert learner_visible_to(stranger, own_learners, issued())
    assert not learner_visible_to(stranger, subscription(), issued())


def test_a_payload_without_entitlement_carries_no_learner_reference() -> None:
    hidden = payload_for(issued(), learner_visible=False)
    shown = payload_for(issued(), learner_visible=True)
    assert "learner_ref" not in hidden["data"]
    assert hidden["data"]["credential_id"] == "c1"
    assert shown["data"]["learner_ref"] == "sha256$abc"
    assert shown["type"] == "credential.issued"
