"""First-inquiry routing (首问负责制): inquiries, hand-overs with acknowledgement, escalation, staff notices."""
