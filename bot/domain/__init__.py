"""The Discord-free domain: rules, queries, money and ranking. Never imports `discord`."""
