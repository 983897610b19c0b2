"""Forgets the 1/sqrt(d_k) scaling: plain dot products as scores, in Part A and in Part B."""
HINT = "unscaled"


def answer_causal_scores():
    X = sympy.Matrix([[1, 0], [0, 1], [1, 1]])
    S = X * X.T
    return sympy.Matrix(3, 3, lambda i, j: S[i, j] if j <= i else -sympy.oo)


def answer_step2_weights():
    keys, _, queries = _step2_setting()
    exps = [sympy.exp(queries[1].dot(k)) for k in keys]
    return sympy.Matrix([e / sum(exps) for e in exps])


def answer_step2_masked_output():
    keys, values, queries = _step2_setting()
    exps = [sympy.exp(queries[1].dot(k)) for k in keys[:2]]
    return sum((e / sum(exps) * v for e, v in zip(exps, values[:2])), sympy.zeros(3, 1))
