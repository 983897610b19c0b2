"""Einsum for every product, the soft threshold by cases, the chain rule written out by hand in sympy,
by-hand numbers typed in, and updates that modify the weights in place before returning them."""


def answer_layer_derivative():
    w, h, b = sympy.symbols("w h b", real=True)
    return sympy.Function("sigma_prime")(b + w * h) * w


def answer_skip_layer_derivative():
    w, h, b = sympy.symbols("w h b", real=True)
    return sympy.Function("sigma_prime")(w * h + b) * w + 1


def answer_layer_derivative_value():
    return 0.1


def answer_skip_layer_derivative_value():
    return 1.1


def answer_product_plain():
    return sympy.Float(0.1) ** sympy.Symbol("L", integer=True, positive=True)


def answer_product_skip():
    return sympy.exp(sympy.Symbol("L", integer=True, positive=True) * sympy.log(sympy.Rational(11, 10)))


def input_gradient(ws, bs, h0, skip):
    factors, h = [], h0
    for w, b in zip(ws, bs):
        pre = w * h + b
        factors.append(float(skip) + (w if pre > 0 else 0.0))
        h = float(skip) * h + (pre if pre > 0 else 0.0)
    return float(np.prod(factors)) if factors else 1.0


def l1_gradient(grad_J, w, alpha):
    return grad_J + alpha * (np.copysign(1.0, w) * (w != 0))


def soft_threshold(w_star, H_diag, alpha):
    t = alpha / H_diag
    return np.where(w_star > t, w_star - t, np.where(w_star < -t, w_star + t, 0.0))


def backprop_step(delta_next, W_next, z):
    return np.einsum("bj,ji->bi", delta_next, W_next) / np.cosh(z) ** 2


def grad_wrt_input(delta_first, W_first):
    return np.einsum("bj,ji->bi", delta_first, W_first)


def update_discriminator(Ws, grads, lr):
    for W, g in zip(Ws, grads):
        W += lr * g
    return Ws


def update_generator(Vs, grads, lr):
    for V, g in zip(Vs, grads):
        V -= lr * g
    return Vs
