# ui/ - the desktop front end: the text models and the session (no SDL),
# the SDL2 window, the bitmap font (or a TrueType one through SDL2_ttf) and
# the PNG writer.  The only directory that includes SDL.
UI_SRCS := $(wildcard ui/*.c)
LIB_SRCS += $(UI_SRCS)
UI_CFLAGS := $(shell pkg-config --cflags sdl2 SDL2_ttf 2>/dev/null)
UI_LIBS := $(shell pkg-config --libs sdl2 SDL2_ttf 2>/dev/null) -lZydis -lz
LDLIBS += $(UI_LIBS)
$(UI_SRCS:%.c=$(BUILD)/%.o) $(UI_SRCS:%.c=$(BUILD)/asan/%.o): CPPFLAGS += $(UI_CFLAGS)

# The cell font, generated once and kept in the tree (ui/tools/mkfont.c).
.PHONY: font
font: $(BUILD)/ui/mkfont
	$(BUILD)/ui/mkfont > ui/font_data.c
$(BUILD)/ui/mkfont: ui/tools/mkfont.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags sdl2 SDL2_ttf) -o $@ $< \
		$(shell pkg-config --libs sdl2 SDL2_ttf)
