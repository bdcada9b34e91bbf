from . import structured_data


class PageMixin:
    """What a public page tells patients, browsers and search engines about itself.

    `page_title` goes before the practice's name in the title and in Open Graph tags;
    `meta_description` falls back to the practice's tagline; breadcrumbs are the trail after
    “Home”, as (title, url) pairs with the page itself last; `get_structured_data()` gives
    the schema.org nodes that the page adds to its BreadcrumbList.
    """

    page_title = ""
    meta_description = ""

    def get_page_title(self):
        return self.page_title

    def get_meta_description(self):
        return self.meta_description

    def get_breadcrumbs(self):
        return []

    def get_structured_data(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breadcrumbs = self.get_breadcrumbs()
        nodes = self.get_structured_data()
        if breadcrumbs:
            nodes.append(structured_data.breadcrumb_list(self.request.path, breadcrumbs))
        context.update(
            page_title=self.get_page_title(),
            meta_description=self.get_meta_description(),
            breadcrumbs=breadcrumbs,
            structured_data=structured_data.graph(nodes),
        )
        return context
