def load_demo(stdout):
    pass
