"""sympy.diff of sigma left as a derivative (a Subs object), the generator's gradient by backpropagating once
through the joint network G then D (one forward pass, layers in one list), and the last-layer gradient in the
D(1 - D)/D form."""


def answer_layer_derivative():
    w, h, b = sympy.symbols("w h b", real=True)
    return sympy.diff(sympy.Function("sigma")(w * h + b), h)


def answer_skip_layer_derivative():
    w, h, b = sympy.symbols("w h b", real=True)
    return sympy.diff(h + sympy.Function("sigma")(w * h + b), h)


def answer_layer_derivative_value():
    return sympy.Float("0.1")


def answer_product_plain():
    return 10 ** (-sympy.Symbol("L", integer=True, positive=True))


def grad_last_preactivation(d_real, d_fake):
    n, m = len(d_real), len(d_fake)
    return d_real * (1 - d_real) / d_real / n, -d_fake * (1 - d_fake) / (1 - d_fake) / m


def generator_backward(Vs, noise, Ws):
    layers = list(Vs) + list(Ws)
    tanh_after = [l < len(Vs) - 1 for l in range(len(Vs))] + [l < len(Ws) - 1 for l in range(len(Ws))]
    a, inputs, pres = noise, [], []
    for W, act in zip(layers, tanh_after):
        inputs.append(a)
        z = a @ W.T
        pres.append(z)
        a = np.tanh(z) if act else z
    d = 1 / (1 + np.exp(-pres[-1]))
    delta = -d / d.shape[0]
    grads = []
    for l in range(len(layers) - 1, -1, -1):
        grads.append(delta.T @ inputs[l])
        delta = delta @ layers[l]
        if l > 0 and tanh_after[l - 1]:
            delta = delta * (1 - np.tanh(pres[l - 1]) ** 2)
    grads.reverse()
    return grads[:len(Vs)]
