"""propose(): the system drafts a license-decision proposal once (002 第十四条: the issuing authority decides;
nothing changes on the license until a decision is recorded)."""

import pytest
from django.core.exceptions import ValidationError

from postlicense.followup.decisions import propose
from postlicense.followup.models import LicenseDecisionProposal as Proposal
from postlicense.registry.models import License

pytestmark = pytest.mark.django_db


@pytest.fixture
def license(make_enterprise, make_license):
    return make_license(make_enterprise(), "XK13-001-00001")


def test_a_proposal_is_drafted_once_and_the_license_is_untouched(license):
    first = propose(
        license, kind=Proposal.Kind.REVOKE, ground=Proposal.Ground.PERSISTING, facts="停产整顿期满复查仍不合格"
    )
    again = propose(license, kind=Proposal.Kind.REVOKE, ground=Proposal.Ground.PERSISTING, facts="另一次")
    assert again == first and first.facts == "停产整顿期满复查仍不合格" and first.proposed_by is None
    assert first.status == Proposal.Status.PROPOSED
    assert License.objects.get(pk=license.pk).status == License.Status.VALID


def test_a_proposal_without_facts_is_refused(license):
    with pytest.raises(ValidationError, match="事实与理由"):
        propose(license, kind=Proposal.Kind.CANCEL, ground=Proposal.Ground.EXPIRED, facts="  ")
    assert not Proposal.objects.exists()
