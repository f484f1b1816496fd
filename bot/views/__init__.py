"""What both handlers and jobs draw: meeting, register and announcement cards, labels,
keyboards and button data. Below handlers and above storage; knows no update or context."""
