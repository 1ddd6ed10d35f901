"""Loading the knowledge base: fact vocabulary, causes, rules, codes, phrases, policy; its cache."""
