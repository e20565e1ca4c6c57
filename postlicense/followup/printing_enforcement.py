"""The 约谈笔录 in print (PDF, A4) through the inspections printing machinery."""

from postlicense.core.regulations import cite
from postlicense.inspections.printing import render_pdf

from .interviews import parse_record


def interview_context(interview):
    return {
        "i": interview,
        "qa": parse_record(interview.record),
        "officials": list(interview.officials.all()),
        "problems": list(interview.problems.all()),
        "commitments": list(interview.commitments.all()),
        "basis": cite("002", "第十二条"),
    }


def interview_pdf(interview):
    return render_pdf(interview_context(interview), "followup/interview_print.html")
