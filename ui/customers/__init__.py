"""The Customers page: the list, a customer's card, editing and merging, the desk's settings."""
