class BreadcrumbsMixin:
    """Give a page its trail after “Home”: (title, url) pairs, the page itself last."""

    def get_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        return super().get_context_data(breadcrumbs=self.get_breadcrumbs(), **kwargs)
