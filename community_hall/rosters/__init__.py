"""Rosters: posts (岗位) with their A and B holders, shifts and leave."""
