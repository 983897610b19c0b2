"""Gradients by hand: vanishing gradients and skip connections, L1 regularisation, GAN backpropagation.

Part A: why skip connections prevent vanishing gradients (sympy, by-hand numbers, NumPy/Python floats)
------------------------------------------------------------------------------------------------------
A network of width 1 has scalar activations h^(0) (the input), h^(1), ..., h^(L). Layer l is either

    plain:  h^(l) = sigma(w^(l) h^(l-1) + b^(l))
    skip:   h^(l) = h^(l-1) + sigma(w^(l) h^(l-1) + b^(l))      (a skip connection around the layer)

For the symbolic answers write a single layer with the real symbols
``w, h, b = sympy.symbols("w h b", real=True)`` (h stands for h^(l-1)) and the derivative sigma' of the
activation as ``sigma_prime = sympy.Function("sigma_prime")``, e.g. ``sigma_prime(w*h + b)``. (A sympy
derivative of ``sympy.Function("sigma")`` is accepted too: ``sympy.diff(sigma(w*h + b), h)``.)
ReLU'(0) is taken to be 0, as in PyTorch.

Part B: L1 regularisation (NumPy, float64)
------------------------------------------
The regularised objective is J~(w) = J(w) + alpha * ||w||_1 with alpha >= 0. Its gradient uses the
element-wise sign, with sign(0) = 0 (the subgradient PyTorch's autograd uses for |x| at 0). Near the
unregularised optimum w*, J is replaced by its quadratic approximation with a diagonal Hessian
H = diag(H_11, ..., H_nn), every H_ii > 0:

    J^(w) = J(w*) + 1/2 (w - w*)^T H (w - w*),

and ``soft_threshold`` returns the exact minimiser of J^(w) + alpha ||w||_1 (graded against a brute-force
minimisation).

Part C: backpropagation in a GAN (NumPy, float64, batch first)
--------------------------------------------------------------
Both networks are MLPs without biases. A network with weight matrices ``Ws = [W1, ..., WK]``, where
``Wl`` has shape (d_l, d_{l-1}), maps a batch ``a0`` of shape (batch, d_0) by

    z^l = a^{l-1} @ Wl.T,    a^l = tanh(z^l) for l < K.

The discriminator's last layer has d_K = 1 and a sigmoid: D(x) = sigmoid(z^K)[:, 0], a probability.
The generator's last layer has no activation: G(noise) = z^K, of shape (batch, k), k the data dimension.
With a batch X of n real samples and a batch of m noise vectors Z, the log-likelihood is

    L = (1/n) sum_i log D(X_i) + (1/m) sum_j log(1 - D(G(Z_j))).

The discriminator maximises L (gradient ASCENT on its weights); the generator minimises L (gradient
DESCENT on its weights). Everything is graded against PyTorch's autograd on the same L. Do not use
torch here: plain NumPy.

Graded by hand (not by these tests): the explanations (what happens to dL/dw^(1) for large L when
|dh^(l)/dh^(l-1)| < 1 or > 1, how the skip connection helps, how L1 and L2 treat small and large weights
differently).
"""
from __future__ import annotations

import numpy as np
import sympy


# ----------------------------------------------------------------------------- Part A
def _layer_symbols():
    w, h, b = sympy.symbols("w h b", real=True)
    return w, h, b, sympy.Function("sigma_prime")


def answer_layer_derivative() -> sympy.Expr:
    """dh^(l)/dh^(l-1) for the plain layer h^(l) = sigma(w h + b), in w, h, b and sigma_prime."""
    raise NotImplementedError("answer_layer_derivative: replace this line with your solution (the docstring above says what to return)")


def answer_skip_layer_derivative() -> sympy.Expr:
    """dh^(l)/dh^(l-1) for the skip layer h^(l) = h + sigma(w h + b), in w, h, b and sigma_prime."""
    raise NotImplementedError("answer_skip_layer_derivative: replace this line with your solution (the docstring above says what to return)")


def _relu_value(derivative: sympy.Expr, w0: float = 0.1, h0: float = 0.1, b0: float = 0.0) -> float:
    """A layer derivative with sigma = ReLU put in (ReLU'(x) = 1 for x > 0, else 0) at the given point."""
    w, h, b, sigma_prime = _layer_symbols()
    # sympy.diff(sigma(w*h + b), h) holds sigma' as Subs(Derivative(sigma(x), x), x, w*h + b): name it sigma_prime
    derivative = derivative.replace(lambda e: isinstance(e, sympy.Subs), lambda e: sigma_prime(e.point[0]))
    relu_prime = sympy.Lambda(h, sympy.Piecewise((1, h > 0), (0, True)))
    return float(derivative.replace(sigma_prime, relu_prime).subs({w: w0, h: h0, b: b0}))


def answer_layer_derivative_value() -> float:
    """The plain layer's derivative at h = 0.1, w = 0.1, b = 0 with sigma = ReLU (a float)."""
    raise NotImplementedError("answer_layer_derivative_value: replace this line with your solution (the docstring above says what to return)")


def answer_skip_layer_derivative_value() -> float:
    """The skip layer's derivative at h = 0.1, w = 0.1, b = 0 with sigma = ReLU (a float)."""
    raise NotImplementedError("answer_skip_layer_derivative_value: replace this line with your solution (the docstring above says what to return)")


def input_gradient(ws: list[float], bs: list[float], h0: float, skip: bool) -> float:
    """dh^(L)/dh^(0) of a width-1 ReLU network with L = len(ws) layers, by the chain rule.

    Args:
    - ws, bs: the weights w^(1..L) and biases b^(1..L), lists of floats of the same length L >= 1
    - h0: the input h^(0), a float
    - skip: False for plain layers, True for skip layers (every layer of the network is of that kind)

    Returns:
    - the derivative as a float: the product over the layers of dh^(l)/dh^(l-1), each evaluated at the
      activations of the forward pass from h0 (ReLU'(0) = 0)
    """
    raise NotImplementedError("input_gradient: replace this line with your solution (the docstring above says what to return)")


# Every layer of an L-layer network has w = 0.1, b = 0 and sigma = ReLU, and the input is h^(0) = 0.1.
# With L = sympy.Symbol("L", integer=True, positive=True):

def answer_product_plain() -> sympy.Expr:
    """dh^(L)/dh^(0) for L plain layers, as a sympy expression in L."""
    raise NotImplementedError("answer_product_plain: replace this line with your solution (the docstring above says what to return)")


def answer_product_skip() -> sympy.Expr:
    """dh^(L)/dh^(0) for L skip layers, as a sympy expression in L."""
    raise NotImplementedError("answer_product_skip: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part B
def l1_gradient(grad_J: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    """The gradient of J(w) + alpha * ||w||_1, given the gradient of J at w.

    Args:
    - grad_J: the gradient of J at w, a float64 array (any shape)
    - w: the weights, a float64 array of the same shape
    - alpha: the regularisation strength, a float >= 0

    Returns:
    - a float64 array of the same shape (use sign(0) = 0)
    """
    raise NotImplementedError("l1_gradient: replace this line with your solution (the docstring above says what to return)")


def soft_threshold(w_star: np.ndarray, H_diag: np.ndarray, alpha: float) -> np.ndarray:
    """The minimiser of 1/2 (w - w*)^T diag(H_diag) (w - w*) + alpha * ||w||_1.

    Args:
    - w_star: the unregularised optimum w*, a 1D float64 array
    - H_diag: the Hessian's diagonal, a float64 array of the same shape, every entry > 0
    - alpha: the regularisation strength, a float >= 0

    Returns:
    - the minimiser w, a float64 array of the same shape
    """
    raise NotImplementedError("soft_threshold: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part C
def forward(Ws: list[np.ndarray], a0: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The forward pass of an MLP as defined above, without the final activation (a helper for the functions
    below, not graded on its own).

    Returns:
    - (zs, activations): zs = [z^1, ..., z^K] (the pre-activations, the last one included) and
      activations = [a^0, a^1, ..., a^{K-1}] (the input and every hidden layer's tanh output)
    """
    raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


def grad_last_preactivation(d_real: np.ndarray, d_fake: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dL/dz^K of the discriminator for every sample, from its outputs.

    Args:
    - d_real: D(X_i) for the n real samples, shape (n,), values in (0, 1)
    - d_fake: D(G(Z_j)) for the m generated samples, shape (m,), values in (0, 1)

    Returns:
    - (delta_real, delta_fake) of shapes (n,) and (m,): the partial derivatives of L with respect to the
      last pre-activation z^K of each real and of each generated sample (the 1/n and 1/m included)
    """
    raise NotImplementedError("grad_last_preactivation: replace this line with your solution (the docstring above says what to return)")


def backprop_step(delta_next: np.ndarray, W_next: np.ndarray, z: np.ndarray) -> np.ndarray:
    """One step of backpropagation: dL/dz^l from dL/dz^{l+1}.

    Args:
    - delta_next: dL/dz^{l+1}, shape (batch, d_{l+1})
    - W_next: W^{l+1}, shape (d_{l+1}, d_l)
    - z: z^l, shape (batch, d_l), the pre-activation of the tanh layer l

    Returns:
    - dL/dz^l, shape (batch, d_l)
    """
    raise NotImplementedError("backprop_step: replace this line with your solution (the docstring above says what to return)")


def grad_wrt_input(delta_first: np.ndarray, W_first: np.ndarray) -> np.ndarray:
    """dL/da^0, the gradient with respect to a network's input (for the discriminator fed with generated
    samples: dL/dG(Z_j)).

    Args:
    - delta_first: dL/dz^1, shape (batch, d_1)
    - W_first: W^1, shape (d_1, d_0)

    Returns:
    - shape (batch, d_0)
    """
    raise NotImplementedError("grad_wrt_input: replace this line with your solution (the docstring above says what to return)")


def backward(Ws: list[np.ndarray], zs: list[np.ndarray], activations: list[np.ndarray],
             delta_last: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """A helper for the two functions below (not graded on its own; use it or not): backpropagation through a
    whole network from dL/dz^K.

    Args:
    - Ws, and zs, activations as returned by ``forward(Ws, a0)``
    - delta_last: dL/dz^K, shape (batch, d_K)

    Returns:
    - ([dL/dW1, ..., dL/dWK], dL/da^0)
    """
    raise NotImplementedError("backward: replace this line with your solution (the docstring above says what to return)")


def discriminator_backward(Ws: list[np.ndarray], x_real: np.ndarray, x_fake: np.ndarray) -> dict:
    """The gradient of L with respect to the discriminator's weights and to the generated samples.

    Args:
    - Ws: the discriminator's weights [W1, ..., WK] (WK has one row)
    - x_real: the real batch X, shape (n, k)
    - x_fake: the generated batch G(Z), shape (m, k), treated here as given numbers

    Returns:
    - {"weights": [dL/dW1, ..., dL/dWK] (each of its W's shape), "fake_input": dL/dx_fake (shape (m, k))}
    """
    raise NotImplementedError("discriminator_backward: replace this line with your solution (the docstring above says what to return)")


def generator_backward(Vs: list[np.ndarray], noise: np.ndarray, Ws: list[np.ndarray]) -> list[np.ndarray]:
    """The gradient of L with respect to the generator's weights.

    Args:
    - Vs: the generator's weights [V1, ..., VM]; G(noise) = z^M (no activation on the last layer)
    - noise: the noise batch Z, shape (m, q)
    - Ws: the discriminator's weights

    Returns:
    - [dL/dV1, ..., dL/dVM], each of its V's shape (the gradient of L itself, not of -L)
    """
    raise NotImplementedError("generator_backward: replace this line with your solution (the docstring above says what to return)")


def update_discriminator(Ws: list[np.ndarray], grads: list[np.ndarray], lr: float) -> list[np.ndarray]:
    """One plain gradient step for the discriminator, which maximises L. Returns the list of updated weights
    (new arrays, or the given arrays updated in place: either is accepted)."""
    raise NotImplementedError("update_discriminator: replace this line with your solution (the docstring above says what to return)")


def update_generator(Vs: list[np.ndarray], grads: list[np.ndarray], lr: float) -> list[np.ndarray]:
    """One plain gradient step for the generator, which minimises L. Returns the list of updated weights
    (new arrays, or the given arrays updated in place: either is accepted)."""
    raise NotImplementedError("update_generator: replace this line with your solution (the docstring above says what to return)")

