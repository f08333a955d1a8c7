"""Load with nothing lost (issue 9): many writers, crashes, and the invariants checked afterwards."""
