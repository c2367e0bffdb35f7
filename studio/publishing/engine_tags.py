"""Each engine's own tags for the links and text it owns, and its standard field names.

Engine-owned tags (the unsubscribe link, the preference centre, the sender's postal address, the
web version of the email) are not contact fields: the engine fills them in at send time from its
own settings. Translating `{{ unsubscribe_url }}` as a contact field (Braze
`{{custom_attribute.${unsubscribe_url}}}`, HubSpot `{{ contact.unsubscribe_url }}`, ...) asks for
a profile attribute nobody has, so the link renders blank. ENGINE_TAGS says, per dialect, what
to emit instead, or (`Lacks`) why the engine has no such tag, so the studio can refuse with an
error naming it rather than send a blank. STANDARD_FIELDS records each engine's names for
the standard profile fields. Every entry names the engine's documentation page and quotes it.

Where a quote was read from a copy of the page rather than the page itself, or an absence was
not proven, the entry says so (see `_COPY` and the `Lacks` reasons).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineTag:
    text: str  # exactly what to emit; a URL (for an href) unless `is_url` is False
    source: str  # URL of the engine's documentation page
    quote: str  # a short verbatim excerpt from that page showing it
    is_url: bool = True  # False: the tag prints text (an address), not a link target


@dataclass(frozen=True)
class Lacks:
    reason: str  # why the engine has no such tag and what to do instead
    source: str
    quote: str


@dataclass(frozen=True)
class StandardFields:
    """An engine's own names for the standard profile fields (a neutral name not listed is a
    custom field, spelled as the engine spells those: see `dialects`)."""

    names: dict[str, str]  # neutral name -> the engine's field name
    source: str
    quote: str


OWNED = ("unsubscribe_url", "preferences_url", "postal_address", "view_in_browser_url")

_BRAZE_TAGS = (
    "https://www.braze.com/docs/user_guide/personalization_and_dynamic_content/liquid/"
    "supported_personalization_tags/"
)
_BRAZE_SUBS = (
    "https://www.braze.com/docs/user_guide/message_building_by_channel/email/"
    "managing_user_subscriptions/"
)
_KLAVIYO_UNSUB = "https://help.klaviyo.com/hc/en-us/articles/115005078267"
# Klaviyo "Message personalization reference". Its quotes below were read from a copy of the
# page kept in a public repository, not from help.klaviyo.com itself: re-check before relying.
_KLAVIYO_REF = "https://help.klaviyo.com/hc/en-us/articles/4408802648731"
_COPY = " [quoted from a copy of the page]"
_CIO_TAGS = "https://customer.io/docs/liquid-tag-master-list"
_CIO_LIQUID = "https://docs.customer.io/messaging/liquid/tag-list/"
_ITERABLE_MERGE = (
    "https://support.iterable.com/hc/en-us/articles/206514205-Universal-Merge-Parameters"
)
_ITERABLE_SETTINGS = "https://support.iterable.com/hc/en-us/articles/206382645"
_HUBSPOT_UNSUB = (
    "https://knowledge.hubspot.com/articles/kcs_article/email/"
    "what-is-the-difference-between-the-two-unsubscribe-links-at-the-bottom-of-an-email"
)
_HUBSPOT_FOOTER = (
    "https://help.hubspot.com/articles/KCS_Article/Can-I-customize-my-CAN-SPAM-email-footer"
)
_MAUTIC_VARS = (
    "https://github.com/mautic/user-documentation/blob/5.x/docs/configuration/variables.rst"
)

ENGINE_TAGS: dict[str, dict[str, EngineTag | Lacks]] = {
    "braze": {
        "unsubscribe_url": EngineTag(
            "{{${set_user_to_unsubscribed_url}}}",
            _BRAZE_TAGS,
            "Email List Attributes | `{{${set_user_to_unsubscribed_url}}}`",
        ),
        "preferences_url": EngineTag(
            "{{${preference_center_url}}}",
            "https://www.braze.com/docs/user_guide/message_building_by_channel/email/"
            "preference_center/preference_center",
            "To place a link to the preference center in your emails, use the following Liquid "
            "tag [...] {{${preference_center_url}}}",
        ),
        "postal_address": Lacks(
            "Braze has no address tag; the address must be written into the copy or the "
            "workspace's custom footer ({{${email_footer}}}), which the sender must keep "
            "compliant",
            _BRAZE_SUBS,
            "Remember that compliance with the CAN-SPAM Act of 2003 requires you to include a "
            "physical address for your company and an unsubscribe link in your emails. It is "
            "your responsibility to make sure that your custom footer meets those requirements.",
        ),
        "view_in_browser_url": Lacks(
            "Braze offers no web-version link; host the content on a page of your own and link "
            "to it",
            "https://www.braze.com/docs/user_guide/message_building_by_channel/email/"
            "templates/faq/",
            'Can I add a "view this email in a browser" link to my emails? No, Braze does not '
            "offer this functionality.",
        ),
    },
    "klaviyo": {
        "unsubscribe_url": EngineTag(
            "{% unsubscribe_link %}",
            _KLAVIYO_UNSUB,
            "there is also a tag that provides only the URL for the unsubscribe link [...] "
            'This is a fancy <a href="{% unsubscribe_link %}">unsubscribe</a> link.',
        ),
        "preferences_url": EngineTag(
            "{% manage_preferences_link %}",
            _KLAVIYO_REF,
            "`{% manage_preferences_link %}` | URL only (for custom styling)" + _COPY,
        ),
        "postal_address": EngineTag(
            "{{ organization.full_address }}",
            _KLAVIYO_REF,
            "`{{ organization.full_address }}` | Full address (city, state/region, zip code)"
            + _COPY,
            is_url=False,
        ),
        "view_in_browser_url": EngineTag(
            "{% web_view_link %}",
            _KLAVIYO_REF,
            "`{% web_view_link %}` | URL only (for custom styling)" + _COPY,
        ),
    },
    "customerio": {
        "unsubscribe_url": EngineTag(
            "{% unsubscribe_url %}",
            _CIO_TAGS,
            "{% unsubscribe_url %} This tag renders a unique unsubscribe link for that customer "
            "and email.",
        ),
        "preferences_url": EngineTag(
            "{% manage_subscription_preferences_url %}",
            _CIO_LIQUID,
            "{% manage_subscription_preferences_url %}" + _COPY,
        ),
        "postal_address": Lacks(
            "no Customer.io address tag was found in its Liquid tag list (absence not proven); "
            "write the address into the copy or the email layout",
            _CIO_TAGS,
            "This table should give you an idea of which Liquid tags and variables are "
            "available to you in Customer.io.",
        ),
        "view_in_browser_url": EngineTag(
            "{% view_in_browser_url %}",
            _CIO_TAGS,
            "{% view_in_browser_url %} Our default link that generates a web version of your "
            "email, personalized for each recipient.",
        ),
    },
    "iterable": {
        "unsubscribe_url": EngineTag(
            "{{unsubscribeUrl}}",
            _ITERABLE_MERGE,
            "{{unsubscribeUrl}} inserts a string URL that recipients can click on to "
            "unsubscribe from the message channel associated with the message.",
        ),
        "preferences_url": EngineTag(
            "{{hostedUnsubscribeUrl}}",
            _ITERABLE_MERGE,
            "{{hostedUnsubscribeUrl}} inserts a link to your hosted unsubscribe page or "
            "subscription preferences center",
        ),
        "postal_address": Lacks(
            "Iterable adds the project's physical mailing address only inside its "
            "auto-appended unsubscribe block; no merge parameter for it was found",
            _ITERABLE_SETTINGS,
            "Physical mailing address [...] This is automatically added at the bottom of "
            "marketing emails if you've turned on the auto-appended unsubscribe blocks setting.",
        ),
        "view_in_browser_url": Lacks(
            "not confirmed: the Universal Merge Parameters page as read here lists unsubscribe "
            "links but no web-version link was found; refuse until one is verified",
            _ITERABLE_MERGE,
            "Iterable offers several built-in merge parameters that you can use anywhere you "
            "want to insert dynamic content.",
        ),
    },
    "hubspot": {
        "unsubscribe_url": EngineTag(
            "{{unsubscribe_link_all}}",
            _HUBSPOT_UNSUB,
            "The 'Automatically Unsubscribe Link', which looks like {{unsubscribe_link_all}} in "
            "hubL format, allows contacts to opt-out of all email communications",
        ),
        "preferences_url": EngineTag(
            "{{unsubscribe_link}}",
            _HUBSPOT_UNSUB,
            "The 'Subscriptions Link', which looks like {{unsubscribe_link}} in hubL format, "
            "allows contact recipients to select which email types they wish to opt-in to or "
            "opt-out of",
        ),
        "postal_address": Lacks(
            "HubSpot has no single full-address token; the address comes from the footer "
            "settings through the Office Location Information module (separate site_settings "
            "company tokens, not verified here); use the module in the template",
            _HUBSPOT_FOOTER,
            "The HubL tokens for your company name and address will populate with the office "
            "location information from your marketing email account settings.",
        ),
        "view_in_browser_url": Lacks(
            "not confirmed: no HubSpot page read here documents a web-version token (HubL's "
            "variable reference was not read in full); refuse until one is verified",
            "https://developers.hubspot.com/docs/cms/reference/hubl/variables",
            "HubSpot templates can use a host of predefined variables that can be used to "
            "render useful website and email elements.",
        ),
    },
    "mautic": {
        "unsubscribe_url": EngineTag(
            "{unsubscribe_url}",
            _MAUTIC_VARS,
            "Unsubscribe URL | ``{unsubscribe_url}``",
        ),
        "preferences_url": Lacks(
            "Mautic's email tokens include no preference-centre URL; the preference centre "
            "tokens ({categorylist}, {saveprefsbutton}, ...) belong on the landing page, which "
            "recipients reach through {unsubscribe_url}",
            _MAUTIC_VARS,
            "Preference Center Landing Page tokens [...] Save Preferences | ``{saveprefsbutton}``",
        ),
        "postal_address": Lacks(
            "Mautic has no sender-address token; {contactfield=companyaddress1} is the "
            "contact's company, not yours; write the address into the copy",
            _MAUTIC_VARS,
            "Email specific tokens [...] Signature ``{signature}`` Subject ``{subject}`` "
            "Tracking pixel ``{tracking_pixel}``",
        ),
        "view_in_browser_url": EngineTag(
            "{webview_url}",
            _MAUTIC_VARS,
            "Web View URL | ``{webview_url}``",
        ),
    },
}

STANDARD_FIELDS: dict[str, StandardFields] = {
    "braze": StandardFields(
        {
            **{
                name: name
                for name in (
                    "first_name",
                    "last_name",
                    "email_address",
                    "phone_number",
                    "city",
                    "country",
                    "language",
                    "gender",
                    "date_of_birth",
                    "time_zone",
                )
            },
            "email": "email_address",
            "phone": "phone_number",
        },
        _BRAZE_TAGS,
        "Standard (Default) Attributes | `{{${city}}}` <br> `{{${country}}}` [...] "
        "`{{${email_address}}}` <br> `{{${first_name}}}` [...] `{{${phone_number}}}` [...] "
        "Custom Attributes [...] `{{custom_attribute.${your_custom_attribute}}}`",
    ),
    "klaviyo": StandardFields(
        {
            "first_name": "first_name",
            "last_name": "last_name",
            "email": "email",
            "phone": "person.phone_number",
            "city": "person.City",
            "country": "person.Country",
        },
        _KLAVIYO_REF,
        "Profile personalization: Generally begins with `person`, with exceptions for special "
        "tags like `first_name` and `last_name` [...] `{{ person|lookup:'property name' }}` | "
        "Property with spaces or special characters" + _COPY,
    ),
    "customerio": StandardFields(
        {},  # attributes are whatever the workspace sends; none is fixed by the docs read here
        "https://docs.customer.io/journeys/liquid-tag-list",
        "You reference customer attributes—data associated directly with a person in "
        "Customer.io—in the customer scope. [...] {{customer.<attribute_name>}}",
    ),
    "iterable": StandardFields(
        {
            "first_name": "firstName",  # the project's "First name field" setting may differ
            "last_name": "lastName",  # likewise "Last name field"
            "email": "email",
            "phone": "phoneNumber",
            "city": "city",
            "country": "country",
        },
        "https://support.iterable.com/hc/en-us/articles/206430145-Contact-Properties-",
        "if a user profile has a firstName field, use the following syntax [...] Providing an "
        "ip (IP address) for a user causes Iterable to add city, country, state, and timeZone "
        "fields as well.",
    ),
    "hubspot": StandardFields(
        {  # internal property names: not quoted from HubSpot's docs in this research
            "first_name": "firstname",
            "last_name": "lastname",
            "email": "email",
            "phone": "phone",
            "city": "city",
            "country": "country",
        },
        "https://developers.hubspot.com/docs/cms/reference/hubl/variables",
        "account | Dict | [...] You can access specific company properties (both custom and "
        "default) via this variable by adding a period followed by the internal property name.",
    ),
    "mautic": StandardFields(
        {
            "first_name": "firstname",
            "last_name": "lastname",
            "email": "email",
            "phone": "phone",
            "city": "city",
            "country": "country",
        },
        _MAUTIC_VARS,
        "First Name | ``{contactfield=firstname}`` [...] Phone Number | "
        "``{contactfield=phone}`` [...] Mobile Number | ``{contactfield=mobile}``",
    ),
}
