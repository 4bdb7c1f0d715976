"""The order desk (Orders page) and the Order status page: list, entry, one order and its steps."""
