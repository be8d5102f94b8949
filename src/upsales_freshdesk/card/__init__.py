"""The card: what the agent sees beside a ticket. Two rounds of parallel reads, shaped
into typed models, with safe links into Upsales; nothing is written or stored."""
