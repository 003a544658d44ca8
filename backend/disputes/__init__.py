"""矛盾纠纷排查化解: the dispute ledger on top of cases of the mediation class, its mediation
sessions, 诉调对接 and 回访, the weekly 零报告 sweep and the figures (化解率)."""
