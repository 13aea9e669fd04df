"""Slot capacity and availability: chefs' windows minus time off, blackouts, lead time."""
