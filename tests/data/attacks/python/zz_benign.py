# A well-behaved program that runs after the attacks in the same job: it must run as usual.
import matplotlib.pyplot as plt

squares = [n * n for n in range(10)]
print("sum of squares:", sum(squares))
plt.plot(squares, color="#2563eb")
plt.title("squares")
plt.show()
