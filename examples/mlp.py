"""A multilayer perceptron (one tanh hidden layer, softmax output, L2
regularisation) trained by minibatch SGD, as in the Theano tutorial's mlp.py,
on the scikit-learn digits. Run: python examples/mlp.py [--epochs N]"""

import argparse
import time

import numpy as np

import theanogo as theano
import theanogo.tensor as T
from digits_data import N_CLASSES, load_data
from logistic_regression import LogisticRegression


class HiddenLayer:
    """output = activation(input W + b), W drawn uniformly in +-sqrt(6 / (n_in + n_out))."""

    def __init__(self, rng, input, n_in, n_out, activation=T.tanh):
        bound = np.sqrt(6.0 / (n_in + n_out))
        W_values = np.asarray(rng.uniform(low=-bound, high=bound, size=(n_in, n_out)), dtype=theano.config.floatX)
        self.W = theano.shared(value=W_values, name="W", borrow=True)
        self.b = theano.shared(value=np.zeros((n_out,), dtype=theano.config.floatX), name="b", borrow=True)
        self.output = activation(T.dot(input, self.W) + self.b)
        self.params = [self.W, self.b]


class MLP:
    def __init__(self, rng, input, n_in, n_hidden, n_out):
        self.hiddenLayer = HiddenLayer(rng=rng, input=input, n_in=n_in, n_out=n_hidden)
        self.logRegressionLayer = LogisticRegression(input=self.hiddenLayer.output, n_in=n_hidden, n_out=n_out)
        self.L2_sqr = (self.hiddenLayer.W ** 2).sum() + (self.logRegressionLayer.W ** 2).sum()
        self.negative_log_likelihood = self.logRegressionLayer.negative_log_likelihood
        self.errors = self.logRegressionLayer.errors
        self.params = self.hiddenLayer.params + self.logRegressionLayer.params


def test_mlp(learning_rate=0.1, L2_reg=0.0001, n_epochs=30, batch_size=20, n_hidden=64):
    (train_x, train_y), (test_x, test_y) = load_data()
    n_train_batches = train_x.get_value(borrow=True).shape[0] // batch_size

    print("... building the model")
    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    rng = np.random.RandomState(1234)
    classifier = MLP(rng=rng, input=x, n_in=64, n_hidden=n_hidden, n_out=N_CLASSES)
    cost = classifier.negative_log_likelihood(y) + L2_reg * classifier.L2_sqr

    test_model = theano.function([], classifier.errors(y), givens={x: test_x, y: test_y})
    gparams = [T.grad(cost, param) for param in classifier.params]
    updates = [(param, param - learning_rate * gparam) for param, gparam in zip(classifier.params, gparams)]
    batch = slice(index * batch_size, (index + 1) * batch_size)
    train_model = theano.function(
        inputs=[index], outputs=cost, updates=updates,
        givens={x: train_x[batch], y: train_y[batch]})
    print(f"backend: {train_model.maker.describe_backend()}")

    print("... training")
    start = time.time()
    for epoch in range(1, n_epochs + 1):
        costs = [train_model(i) for i in range(n_train_batches)]
        print(f"epoch {epoch:3d}, minibatch cost {np.mean(costs):.4f}, test error {100 * float(test_model()):.2f} %")
    accuracy = 1.0 - float(test_model())
    print(f"training took {time.time() - start:.3f}s")
    print(f"final test accuracy {100 * accuracy:.2f} %")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    test_mlp(n_epochs=parser.parse_args().epochs)
