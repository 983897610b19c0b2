"""Reads 'time step 2' as Python index 2, i.e. the third query q3."""
HINT = "zero_based_step"


def answer_step2_weights():
    keys, _, queries = _step2_setting()
    exps = [sympy.exp(queries[2].dot(k) / sympy.sqrt(3)) for k in keys]
    return sympy.Matrix([e / sum(exps) for e in exps])
