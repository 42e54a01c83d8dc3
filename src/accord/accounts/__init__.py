"""Who people are in Accord: their roles on a party's side (memberships) and their API tokens."""
