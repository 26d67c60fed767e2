"""The complaint intake, one question per unit (handlers.intake.questions), asked in order by
handlers.intake.flow.IntakeFlow. Flow diagram: handlers/FLOWS.md, "Intake"."""

from handlers.intake.flow import CaseListener, IntakeFlow

__all__ = ["CaseListener", "IntakeFlow"]
