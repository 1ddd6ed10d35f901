"""From observed facts to a ranked diagnosis: the rule engines, ranking, questions, explain."""
