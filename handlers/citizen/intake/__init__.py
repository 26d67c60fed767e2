"""The complaint intake, one question per unit (handlers.citizen.intake.questions), asked in order by
handlers.citizen.intake.flow.IntakeFlow. Flow diagram: handlers/FLOWS.md, "Intake"."""

from handlers.citizen.intake.flow import CaseListener, IntakeFlow

__all__ = ["CaseListener", "IntakeFlow"]
