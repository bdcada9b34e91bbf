from js_asset import Media


class MediaNonceMiddleware:
    """Gives a page's form media the request's Content-Security-Policy nonce.

    django-prose-editor's widgets bring an import map, an inline `<script type="importmap">`,
    which a policy without 'unsafe-inline' runs only if it carries the page's nonce. Django
    5.2's admin renders `{{ media }}` as it is (6.0 learns to add a nonce); django-js-asset's
    Media, which the editor's media are, adds the nonce it holds to each tag it renders.
    Pages whose media need no nonce never make one, so their policy names none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        context = response.context_data
        media = context.get("media") if isinstance(context, dict) else None
        if isinstance(media, Media) and hasattr(request, "csp_nonce"):
            # Lazy: the nonce is made when the template renders the media, not before.
            context["media"] = media.with_nonce(request.csp_nonce)
        return response
